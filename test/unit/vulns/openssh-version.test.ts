import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOpensshVersions, parseSshBanner } from '../../../src/vulns/openssh-version.js';

test('upstream OpenSSH versions order numerically, then by portable patch level', () => {
  const ordered = ['7.4p1', '8.9p1', '9.2p1', '9.3p1', '9.3p2', '9.9p1', '9.9p2', '9.10p1', '10.0p1', '10.0p2', '10.6p1'];
  for (let i = 0; i + 1 < ordered.length; i++) {
    assert.ok(compareOpensshVersions(ordered[i]!, ordered[i + 1]!) < 0, `${ordered[i]} < ${ordered[i + 1]}`);
    assert.ok(compareOpensshVersions(ordered[i + 1]!, ordered[i]!) > 0);
  }
  assert.equal(compareOpensshVersions('9.2', '9.2p1'), 0, 'sshd -V "OpenSSH_9.2" counts as 9.2p1');
  assert.equal(compareOpensshVersions('OpenSSH_9.8p1', '9.8p1'), 0);
});

test('parseSshBanner: Debian, Ubuntu, upstream, other software', () => {
  assert.deepEqual(parseSshBanner('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10'), {
    protocol: '2.0', softwareVersion: 'OpenSSH_9.2p1', software: 'OpenSSH', version: '9.2p1',
    comment: 'Debian-2+deb12u10', distro: { id: 'debian', versionId: '12' }, packageVersion: '1:9.2p1-2+deb12u10',
  });
  assert.deepEqual(parseSshBanner('SSH-2.0-OpenSSH_10.0p1 Debian-7\r\n')?.distro, { id: 'debian', versionId: '13' });
  assert.equal(parseSshBanner('SSH-2.0-OpenSSH_10.0p1 Debian-7')?.packageVersion, '1:10.0p1-7');
  const u = parseSshBanner('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.3');
  assert.deepEqual([u?.distro, u?.packageVersion], [{ id: 'ubuntu', versionId: '24.04' }, '1:9.6p1-3ubuntu13.3']);
  assert.deepEqual(parseSshBanner('SSH-2.0-OpenSSH_10.6'), { protocol: '2.0', softwareVersion: 'OpenSSH_10.6', software: 'OpenSSH', version: '10.6' });
  assert.deepEqual(parseSshBanner('SSH-2.0-dropbear_2022.83'), { protocol: '2.0', softwareVersion: 'dropbear_2022.83', software: 'dropbear' });
  assert.equal(parseSshBanner('HTTP/1.1 200 OK'), undefined);
});
