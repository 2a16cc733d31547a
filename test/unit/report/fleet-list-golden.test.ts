// The listings over many hosts, rendered: each example root listed by the very function of
// `keys list` / `user list` / `backups` / `allow list` (as a host gathered over SSH would be), plus an
// unreachable host, then the JSON envelope (valid against schemas/<command>-fleet) and the text
// (HOST column, the host's own rows, ERROR with the reason) compared with golden files in
// test/golden/fleet/. Update only with UPDATE_GOLDEN=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FleetListReport, FleetListHost, ListCommand } from '../../../src/fleet/list.js';
import { listKeys } from '../../../src/keys/listing.js';
import { userListing } from '../../../src/users/list.js';
import { listAllow } from '../../../src/allow/listing.js';
import type { BackupListing } from '../../../src/apply/backup-list.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { rootFs } from '../../../src/host/root-fs.js';
import { versioned } from '../../../src/report/document.js';
import { renderFleetListJson, renderFleetListText } from '../../../src/report/fleet-list.js';
import { allowListView, backupsListView, keysListView, userListView, type ListView } from '../../../src/report/lists.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { assertGolden } from '../../helpers/golden.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const GOLDEN = join(REPO, 'test', 'golden', 'fleet');
const HOSTS = ['pve9-default', 'pve-cluster-node', 'hardened'] as const;

const golden = (name: string, actual: string): void => assertGolden(GOLDEN, name, actual);

const gather = { rounds: 1, bytes: 1000, ms: 10 };

async function report<C extends ListCommand, B extends object>(command: C, list: (name: string) => Promise<B | string>): Promise<FleetListReport<C, B>> {
  const hosts: FleetListHost<C, B>[] = [];
  for (const name of HOSTS) {
    const l = await list(name);
    assert.equal(typeof l, 'object', String(l));
    hosts.push({ name, target: `root@${name}`, source: 'inventory.ini:2', gather, status: 'listed', notes: [], listing: versioned(command, l as B) });
  }
  hosts.push({ name: 'gone', target: 'gone', source: '--host', gather: { rounds: 0, bytes: 0, ms: 3 }, status: 'error', error: 'ssh failed: ssh: connect to host gone port 22: Connection refused', notes: [] });
  return { schemaVersion: 1, command, tool: { name: 'sshield', version: '0.0.0-test' }, hosts, summary: { hosts: hosts.length, listed: HOSTS.length, errors: 1, wallMs: 0 } };
}

const exec = (name: string) => offlineExecutor(rootFs(join(REPO, 'examples', name)), 'root');

function check<C extends ListCommand, B extends object>(file: string, r: FleetListReport<C, B>, view: (l: never) => ListView): void {
  const json = renderFleetListJson(r);
  assertMatchesSchema(`${file}-fleet`, json);
  golden(`${file}.json`, json);
  const text = renderFleetListText(r, view as never);
  golden(`${file}.txt`, `${text.out}--- stderr\n${text.err.join('\n')}\n`);
}

test('keys list over hosts: JSON envelope and text with a HOST column (golden)', async () => {
  const r = await report('keys list', async (name) => {
    const l = await listKeys(exec(name), { mainConfig: '/etc/ssh/sshd_config' });
    return typeof l === 'string' ? l : { ...l, target: name };
  });
  check('keys-list', r, ((l: Parameters<typeof keysListView>[0]) => keysListView(l, undefined)) as never);
});

test('user list over hosts: one table, the HOST column first (golden)', async () => {
  const r = await report('user list', (name) => userListing(exec(name), { mainPath: '/etc/ssh/sshd_config', all: false }));
  check('user-list', r, userListView as never);
  const text = renderFleetListText(r, userListView).out.split('\n');
  assert.match(text[0]!, /^HOST +USER +SHELL +PASSWORD +SSH +KEYS +RESTRICTIONS +WHY$/);
  // Every row's columns line up with the header, whichever host it belongs to.
  const col = text[0]!.indexOf('SHELL');
  for (const line of text.slice(1).filter((l) => l && !l.startsWith('gone'))) assert.equal(line[col - 1], ' ', line);
});

test('backups over hosts: rows as on one host, a host without backups says so (golden)', async () => {
  const listing = (name: string): BackupListing =>
    name === 'hardened'
      ? {
          backupDir: '/var/backups/sshield',
          backups: [
            { id: '20261201T100000Z', kind: 'harden', state: 'committed', created: '2026-12-01T10:00:00.000Z', files: [{ path: '/etc/ssh/sshd_config', existed: true, sha256: 'a'.repeat(64), mode: '644', uid: 0, gid: 0 }], steps: [] },
            { id: '20261202T100000Z', kind: 'user', state: 'rolled-back', files: [{ path: '/etc/ssh/sshd_config.d/00-sshield.conf', existed: false, sha256: null, mode: '644', uid: 0, gid: 0 }], steps: [{ kind: 'set-shell', describe: 'shell of bob: /bin/bash -> /usr/sbin/nologin', phase: 'undone' }] },
          ],
        }
      : { backupDir: '/var/backups/sshield', backups: [] };
  check('backups', await report('backups', async (name) => listing(name)), backupsListView as never);
});

test('allow list over hosts: the managed lists with file:line and the other access lists, one host restricted (golden)', async () => {
  // examples/hardened with two managed allowlists (everyone, one user) and a DenyUsers of its own.
  const dir = mkdtempSync(join(tmpdir(), 'sshield-allow-golden-'));
  try {
    cpSync(join(REPO, 'examples', 'hardened'), dir, { recursive: true });
    appendFileSync(join(dir, 'etc/ssh/sshd_config'), '# sshield allow: logins only from the "!" addresses below; DenyUsers refuses all others (sshield allow list)\nDenyUsers *@!192.0.2.0/24,!2001:db8::1,*\nDenyUsers alice@!198.51.100.7,*\nDenyUsers mallory\n');
    const r = await report('allow list', (name) => listAllow(name === 'hardened' ? offlineExecutor(rootFs(dir), 'root') : exec(name), { mainPath: '/etc/ssh/sshd_config' }));
    const hardened = r.hosts[2]!;
    assert.ok(hardened.status === 'listed' && hardened.listing.restricted && hardened.listing.lists.length === 2);
    assert.deepEqual(hardened.listing.otherAccessLists.denyusers, ['mallory'], 'the managed lines are lists, not other DenyUsers');
    check('allow-list', r, allowListView as never);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
