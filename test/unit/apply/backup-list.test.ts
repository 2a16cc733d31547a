// `backups`'s rows from manifests and journals someone else wrote (another host over SSH, a damaged
// disk): a well-formed backup is listed as it always was; every field of the wrong type is left out
// (kind and state "unknown", a bad file or step dropped), never trusted into a crash or into JSON
// the schema would refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backupRow } from '../../../src/apply/backup-list.js';
import type { BackupRecord } from '../../../src/apply/backup.js';
import { validatorFor } from '../../helpers/json-schema.js';

const good = {
  version: 1,
  id: '20261201T100000Z',
  created: '2026-12-01T10:00:00.000Z',
  kind: 'user',
  configPath: '/etc/ssh/sshd_config',
  root: '/mnt/img',
  reload: { kind: 'none', why: 'x' },
  files: [
    { path: '/etc/ssh/sshd_config', hostPath: '/mnt/img/etc/ssh/sshd_config', existed: true, sha256: 'a'.repeat(64), newSha256: null, mode: 0o644, uid: 0, gid: 0, copy: 'files/0' },
    { path: '/etc/ssh/sshd_config.d/x.conf', hostPath: '/etc/ssh/sshd_config.d/x.conf', existed: false, sha256: null, newSha256: 'b'.repeat(64), mode: 0o600, uid: 0, gid: 0 },
  ],
  steps: [{ kind: 'set-shell', describe: 'shell of bob: /bin/bash -> /usr/sbin/nologin', user: 'bob' }],
};

const row = (manifest: unknown, journal: unknown = { phase: 'committed', steps: ['done'] }) => backupRow({ id: '20261201T100000Z', dir: '/b/20261201T100000Z', manifest, journal } as BackupRecord);

test('a well-formed backup: every field as the manifest and journal say', () => {
  assert.deepEqual(row(good), {
    id: '20261201T100000Z',
    kind: 'user',
    state: 'committed',
    created: '2026-12-01T10:00:00.000Z',
    root: '/mnt/img',
    files: [
      { path: '/etc/ssh/sshd_config', hostPath: '/mnt/img/etc/ssh/sshd_config', existed: true, sha256: 'a'.repeat(64), mode: '644', uid: 0, gid: 0 },
      { path: '/etc/ssh/sshd_config.d/x.conf', existed: false, sha256: null, mode: '600', uid: 0, gid: 0 },
    ],
    steps: [{ kind: 'set-shell', describe: 'shell of bob: /bin/bash -> /usr/sbin/nologin', phase: 'done' }],
  });
});

test('hostile or damaged manifests and journals: wrong types are left out, nothing throws, the schema holds', () => {
  const schema = validatorFor('backups');
  const cases: [string, unknown, unknown][] = [
    ['no manifest, no journal', undefined, undefined],
    ['a manifest that is an array', [1, 2], 'committed'],
    ['a manifest that is a string', 'harden', null],
    ['unknown kind and phase', { ...good, kind: 'rm -rf' }, { phase: 'exploded' }],
    ['kind from the prototype', { ...good, kind: '__proto__' }, { phase: 'constructor' }],
    ['files not an array', { ...good, files: { length: 3 } }, {}],
    ['a file with a mode that is a string', { ...good, files: [{ ...good.files[0], mode: '0644' }] }, {}],
    ['a file with a negative uid', { ...good, files: [{ ...good.files[0], uid: -1 }] }, {}],
    ['a file with a bad sha256', { ...good, files: [{ ...good.files[0], sha256: 'zz' }] }, {}],
    ['a file that is null', { ...good, files: [null, 7, 'x'] }, {}],
    ['steps of unknown kinds', { ...good, steps: [{ kind: 'format-disk', describe: 'x' }, null, { kind: 'make-dir' }] }, { steps: 'done' }],
    ['created and root not strings', { ...good, created: 5, root: ['/'] }, { phase: 'committed', steps: [7] }],
  ];
  for (const [name, m, j] of cases) {
    const r = row(m, j);
    const doc = { schemaVersion: 1, command: 'backups', backupDir: '/b', backups: [r] };
    assert.ok(schema(doc), `${name}: ${JSON.stringify(schema.errors)}`);
  }
  assert.deepEqual([row({ ...good, kind: 'rm -rf' }, { phase: 'exploded' }).kind, row({ ...good, kind: 'rm -rf' }, { phase: 'exploded' }).state], ['unknown', 'unknown']);
  assert.deepEqual(row({ ...good, files: [null, { ...good.files[1] }] }).files.map((f) => f.path), ['/etc/ssh/sshd_config.d/x.conf']);
  assert.deepEqual(row({ ...good, steps: [{ kind: 'format-disk', describe: 'x' }, good.steps[0]] }, { phase: 'committed', steps: ['done', 'undone'] }).steps, [{ kind: 'set-shell', describe: good.steps[0]!.describe, phase: 'undone' }]);
});
