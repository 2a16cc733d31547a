// Build profiles: detection from the dpkg status file (no sshd executed), ids and the old
// `10.6p1` alias, the version -> profile mapping used by audit overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILD_IDS, BUILDS, buildForVersion, detectBuild, getBuild } from '../../../src/sshd/builds/index.js';

const status = (version: string) => `Package: openssh-client\nStatus: install ok installed\nVersion: 1:9.2p1-2\n\nPackage: openssh-server\nStatus: install ok installed\nPriority: optional\nVersion: ${version}\n\n`;

test('detectBuild knows Debian 12, 13 and unstable (10.6) hosts from the dpkg status file', () => {
  assert.equal(detectBuild(status('1:9.2p1-2+deb12u10'))?.id, '9.2p1-debian');
  assert.equal(detectBuild(status('1:10.0p1-7+deb13u4'))?.id, '10.0p1-debian');
  assert.equal(detectBuild(status('1:10.6p1-1'))?.id, '10.6p1-debian');
  assert.equal(detectBuild(status('1:10.7p1-1'))?.id, '10.6p1-debian'); // nearest at or below
  assert.equal(detectBuild(status('1:10.4p1-2'))?.id, '10.0p1-debian');
  assert.equal(detectBuild('Package: openssh-server\nStatus: deinstall ok config-files\nVersion: 1:10.6p1-1\n'), undefined);
  assert.equal(detectBuild(undefined), undefined);
});

test('10.6p1-debian is the id, 10.6p1 its old alias', () => {
  assert.deepEqual(BUILD_IDS, ['9.2p1-debian', '10.0p1-debian', '10.6p1-debian']);
  assert.equal(getBuild('10.6p1'), BUILDS['10.6p1-debian']);
  assert.equal(getBuild('10.6p1-debian')?.printNames, true);
  assert.equal(getBuild('10.0p1-debian')?.printNames, false);
  assert.equal(getBuild('10.5p1'), undefined);
  assert.equal(buildForVersion(10.6).id, '10.6p1-debian');
  assert.equal(buildForVersion(9.8).id, '9.2p1-debian');
});
