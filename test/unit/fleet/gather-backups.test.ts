// The gather script's `backups` request, without a network: run by the local sh over a scratch
// backup directory (as a remote host would run it), its answer parsed and served by the snapshot,
// and `backups`'s one listing function on that snapshot equals the same function on the directory
// itself; only manifests and journals travel (never the saved copies), names a shell would split
// or expand are kept, a link or a non-backup entry is not followed. (A host whose backups are more
// than a host may send: test/integration/fleet/fleet-lists.test.ts.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherCommand, type GatherRequest } from '../../../src/fleet/gather-script.js';
import { parseGatherStream } from '../../../src/fleet/gather-stream.js';
import { Snapshot } from '../../../src/fleet/snapshot.js';
import { listBackupRows as listOrError, type BackupListing } from '../../../src/apply/backup-list.js';
import { localFs } from '../../../src/host/local-fs.js';

/** The listing (the directories here are readable: never the refusal). */
async function listBackupRows(...a: Parameters<typeof listOrError>): Promise<BackupListing> {
  const l = await listOrError(...a);
  assert.notEqual(typeof l, 'string', String(l));
  return l as BackupListing;
}

const dir = mkdtempSync(join(tmpdir(), 'sshield-gather-backups-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function gatherLocally(requests: GatherRequest[], cap = 1 << 20) {
  return spawnSync('sh', ['-c', gatherCommand(requests, cap)], { maxBuffer: 64 << 20 });
}

const manifest = (id: string, kind: string, files: object[] = []) => JSON.stringify({ version: 1, id, created: '2026-12-01T10:00:00.000Z', kind, configPath: '/etc/ssh/sshd_config', reload: { kind: 'none', why: 'x' }, files });
const journal = (id: string, phase: string) => JSON.stringify({ version: 1, id, phase, updated: '2026-12-01T10:00:01.000Z', pid: 1, history: [] });

test('a backups request brings the directory, every backup\'s listing, manifest and journal in one answer; the listing equals the local one', async () => {
  const root = join(dir, 'var', 'backups', 'sshield');
  const entry = { path: '/etc/ssh/sshd_config', hostPath: '/etc/ssh/sshd_config', existed: true, sha256: 'a'.repeat(64), newSha256: 'b'.repeat(64), mode: 0o644, uid: 0, gid: 0, copy: 'files/0' };
  const backups: [string, string | undefined, string | undefined][] = [
    ['20261201T100000Z', manifest('20261201T100000Z', 'harden', [entry]), journal('20261201T100000Z', 'committed')],
    ['20261201T100000Z-2', manifest('20261201T100000Z-2', 'keys'), journal('20261201T100000Z-2', 'rolled-back')],
    // A run that died before its manifest; one with a journal that is not JSON.
    ['20261202T000000Z', undefined, journal('20261202T000000Z', 'backed-up')],
    ['20261203T000000Z', manifest('20261203T000000Z', 'user'), '{not json'],
  ];
  for (const [id, m, j] of backups) {
    mkdirSync(join(root, id, 'files'), { recursive: true });
    writeFileSync(join(root, id, 'files', '0'), 'SAVED COPY: must not travel');
    writeFileSync(join(root, id, "it's a $(x) `y`\n.txt"), 'odd name');
    if (m) writeFileSync(join(root, id, 'manifest.json'), m);
    if (j) writeFileSync(join(root, id, 'journal.json'), j);
  }
  // Not backups: another directory, a file named like one, and the upgrade's kept packages.
  mkdirSync(join(root, 'packages'));
  writeFileSync(join(root, 'packages', 'manifest.json'), manifest('packages', 'harden'));
  writeFileSync(join(root, '20261204T000000Z'), 'a file, not a backup');
  // A backup id that is a link: not followed by the script (the rounds would ask for it).
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere', 'manifest.json'), manifest('20261205T000000Z', 'allow'));
  symlinkSync(join(dir, 'elsewhere'), join(root, '20261205T000000Z'));

  const requests: GatherRequest[] = [{ op: 'backups', arg: root }];
  const r = gatherLocally(requests);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.ok(!r.stdout.includes(Buffer.from('SAVED COPY').toString('base64').slice(0, 12)), 'a saved copy was sent');
  const p = parseGatherStream(r.stdout, 1 << 20);
  assert.ok(p.ok, p.ok ? '' : p.error);
  assert.deepEqual([...p.answer.contents.keys()].map((k) => k.slice(root.length)).sort(), [
    '/20261201T100000Z-2/journal.json',
    '/20261201T100000Z-2/manifest.json',
    '/20261201T100000Z/journal.json',
    '/20261201T100000Z/manifest.json',
    '/20261202T000000Z/journal.json',
    '/20261203T000000Z/journal.json',
    '/20261203T000000Z/manifest.json',
  ]);
  const snap = new Snapshot('host', 1 << 20);
  await snap.add(p.answer, requests);
  snap.markAsked(requests);
  const misses = new Map<string, GatherRequest>();
  const remote = await listBackupRows(snap.view(misses), root);
  // Only the linked backup is left for a further round.
  assert.deepEqual([...misses.values()].map((m) => m.arg.slice(root.length)), ['/20261205T000000Z']);
  const local = await listBackupRows({ fs: localFs() }, root);
  assert.deepEqual(remote.backups, local.backups.filter((b) => b.id !== '20261205T000000Z'));
  assert.deepEqual(local.backups.map((b) => [b.id, b.kind, b.state]), [
    ['20261201T100000Z', 'harden', 'committed'],
    ['20261201T100000Z-2', 'keys', 'rolled-back'],
    ['20261202T000000Z', 'unknown', 'backed-up'],
    ['20261203T000000Z', 'user', 'unknown'],
    ['20261205T000000Z', 'allow', 'unknown'],
  ]);
});

test('a backups request of a missing directory answers "none": no error, nothing left to ask', async () => {
  const missing = [{ op: 'backups' as const, arg: join(dir, 'nope', 'sshield') }];
  const p = parseGatherStream(gatherLocally(missing).stdout, 1 << 20);
  assert.ok(p.ok);
  const snap = new Snapshot('host', 1 << 20);
  await snap.add(p.answer, missing);
  snap.markAsked(missing);
  const misses = new Map<string, GatherRequest>();
  assert.deepEqual((await listBackupRows(snap.view(misses), missing[0]!.arg)).backups, []);
  assert.equal(misses.size, 0);
});

test('a backup directory that exists but cannot be listed (a remote account that is not root) is a refusal with the reason, never "no backups"', async () => {
  const fs = { ...localFs(), readDir: async () => undefined };
  const r = await listOrError({ fs }, dir);
  assert.equal(typeof r, 'string');
  assert.match(r as string, /^cannot list .* \(mode 0700, owner uid \d+\): read it as its owner, or name another --backup-dir$/);
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'x');
  assert.equal(await listOrError({ fs: localFs() }, file), `${file} is not a directory`);
});
