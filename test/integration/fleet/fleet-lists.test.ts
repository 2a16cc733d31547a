// `sshield keys list`, `user list`, `backups` and `allow list` over SSH against real test hosts
// (test/helpers/test-hosts.ts: a Debian sshd per loopback address, each in its own mount namespace
// with its own /etc, /root, /home, /srv, /var/backups...) through the built CLI, nothing installed
// on the hosts. The oracle is the same command on each host's directory (`--root DIR`, and for
// backups `--backup-dir DIR/var/backups/sshield`): the remote listing must equal it field for
// field. Also: a host with several users, keys (options, a line sshd ignores, keys under /srv named
// by a drop-in), allowlists and real backups; a PVE cluster through one node; an inventory with
// --limit; text with a HOST column; an unreachable host (exit 2 with the reason, never an empty
// listing); hostile hosts (garbage, a flood, a host whose backups are larger than a host may send,
// a stall) refused one by one in bounded time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from '../../helpers/sshd.js';
import { testHostsAvailable, type TestFleet, type TestHostSpec } from '../../helpers/test-hosts.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { BIN, REPO, pveExampleNode, runSshield, startFleetLab, stopFleetLab } from '../../helpers/fleet-lab.js';

const skip = testHostsAvailable();


const keygen = (dir: string, name: string, type = 'ed25519'): string => {
  const f = join(dir, `key-${name}`);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-t', type, ...(type === 'rsa' ? ['-b', '3072'] : []), '-C', name, '-f', f]);
  const pub = readFileSync(`${f}.pub`, 'utf8').trim();
  rmSync(f);
  rmSync(`${f}.pub`);
  return pub;
};

/** The built CLI, run synchronously (test host setup callbacks are synchronous). */
const cliSync = (args: string[]) => execFileSync(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Several users and keys (key options, a line sshd ignores, keys under /srv that only a drop-in
 * names, an account without keys) and backups made by real changes: `keys add`, `user nologin`
 * (with --root on the host's directory, into its own /var/backups/sshield), plus a backup whose
 * run died before its manifest.
 */
const busy: TestHostSpec = {
  name: 'busy',
  example: 'hardened',
  // alice (not root) logs in with the controller's key from her own authorized_keys (sshd reads it as her).
  daemon: 'Match User alice\n  AuthorizedKeysFile .ssh/authorized_keys',
  setup: (dir) => {
    appendFileSync(join(dir, 'home/alice/.ssh/authorized_keys'), readFileSync(join(dir, '..', '..', 'controller_keys')));
    const users = [
      ['bob', 1002],
      ['carol', 1003],
      ['dave', 1004],
    ] as const;
    for (const [u, id] of users) {
      appendFileSync(join(dir, 'etc/passwd'), `${u}:x:${id}:${id}:${u},,,:/home/${u}:/bin/bash\n`);
      appendFileSync(join(dir, 'etc/group'), `${u}:x:${id}:\n`);
      mkdirSync(join(dir, 'home', u, '.ssh'), { recursive: true });
    }
    writeFileSync(join(dir, 'home/bob/.ssh/authorized_keys'), [`restrict,from="10.0.0.0/8" ${keygen(dir, 'bob@laptop')}`, `command="/usr/bin/backup" ${keygen(dir, 'bob@backup', 'rsa')}`, 'ssh-ed25519 not-base64!! broken line', `no-pty ${keygen(dir, 'bob@old')}`, ''].join('\n'));
    mkdirSync(join(dir, 'srv/keys'), { recursive: true });
    writeFileSync(join(dir, 'srv/keys/carol'), `${keygen(dir, 'carol@desk')}\n`);
    writeFileSync(join(dir, 'etc/ssh/sshd_config.d/20-keys.conf'), 'AuthorizedKeysFile .ssh/authorized_keys /srv/keys/%u\n');
    const backups = join(dir, 'var/backups/sshield');
    mkdirSync(join(dir, 'var/backups'), { recursive: true });
    cliSync(['keys', 'add', '--root', dir, '--user', 'dave', '--key', keygen(dir, 'dave@new'), '--restrict', '--backup-dir', backups, '--yes']);
    cliSync(['user', 'nologin', 'files', '--root', dir, '--backup-dir', backups, '--yes']);
    mkdirSync(join(backups, '20200101T000000Z'));
    mkdirSync(join(backups, 'not-a-backup'));
    // Two allowlists as `allow add` writes them, and a DenyUsers of the admin's own, at the top (the
    // global section: `user nologin` ended the file with a Match block). Data only: the test daemon
    // runs its own config.
    const main = join(dir, 'etc/ssh/sshd_config');
    writeFileSync(main, `# sshield allow: logins only from the "!" addresses below; DenyUsers refuses all others (sshield allow list)\nDenyUsers *@!127.0.0.0/8,!192.0.2.0/24,*\nDenyUsers bob@!10.0.0.0/8,*\nDenyUsers mallory\n${readFileSync(main, 'latin1')}`, 'latin1');
  },
};

/** A host whose backups are each under the per-file cap but together more than a host may send. */
const huge: TestHostSpec = {
  name: 'huge',
  example: 'debian12-cloud',
  setup: (dir) => {
    for (let i = 0; i < 3; i++) {
      const b = join(dir, 'var/backups/sshield', `2026010${i}T000000Z`);
      mkdirSync(b, { recursive: true });
      writeFileSync(join(b, 'manifest.json'), `{"pad":"${'x'.repeat(12 << 20)}"}`);
    }
  },
};

/**
 * A test host's /bin and /usr are this machine's (only its files are overlaid): its directory gets
 * a stand-in for every login shell of its passwd that this machine has and the example lacks
 * (/bin/sync...), so that `--root DIR` judges the shells the host really has.
 */
function withHostShells(spec: TestHostSpec): TestHostSpec {
  return {
    ...spec,
    setup: (dir, ctx) => {
      spec.setup?.(dir, ctx);
      const shells = new Set(readFileSync(join(dir, 'etc/passwd'), 'latin1').split('\n').map((l) => l.split(':')[6] ?? '').filter((x) => x.startsWith('/')));
      for (const sh of shells) {
        if (!existsSync(sh) || existsSync(join(dir, sh))) continue;
        mkdirSync(join(dir, dirname(sh)), { recursive: true });
        writeFileSync(join(dir, sh), '', { mode: statSync(sh).mode & 0o7777 });
      }
    },
  };
}

const GOOD: TestHostSpec[] = [{ name: 'pve8', example: 'pve8-default' }, { name: 'pve9', example: 'pve9-default' }, pveExampleNode(1), pveExampleNode(2), pveExampleNode(3), { name: 'cloud', example: 'debian12-cloud' }, busy].map(withHostShells);

const HOSTILE: TestHostSpec[] = [
  { name: 'gone', unreachable: true },
  { name: 'garbage', daemon: 'ForceCommand head -c 300000 /dev/urandom' },
  { name: 'flood', daemon: 'ForceCommand yes SSHIELD-GATHER' },
  { name: 'stall', daemon: 'ForceCommand sleep 60' },
  huge,
];

let fleet: TestFleet;
let work = '';

before(async () => {
  if (!skip) ({ fleet, work } = await startFleetLab([...GOOD, ...HOSTILE], 'sshield-fleet-lists-'));
});
after(() => stopFleetLab(fleet, work));

const sshield = (args: string[]) => runSshield(args);

const dirOf = (name: string) => fleet.hosts.find((h) => h.name === name)!.dir;

interface Host<L> {
  name: string;
  status: 'listed' | 'error';
  error?: string;
  gather: { rounds: number; bytes: number };
  listing?: L;
}
interface Fleet<L> {
  command: string;
  hosts: Host<L>[];
  summary: { hosts: number; listed: number; errors: number; wallMs: number };
}
interface KeysDoc {
  target: string;
  keys: { user: string; file: string; options: string }[];
  diagnostics: unknown[];
  problems: string[];
}
interface UsersDoc {
  config: string;
  accounts: { name: string; keys: number }[];
}
interface AllowDoc {
  config: string;
  restricted: boolean;
  lists: { user: string; addresses: string[]; file: string; line: number }[];
  otherAccessLists: Record<'allowusers' | 'denyusers' | 'allowgroups' | 'denygroups', string[]>;
}
interface BackupsDoc {
  backupDir: string;
  backups: { id: string; kind: string; state: string; files: unknown[] }[];
}

const names = GOOD.map((s) => s.name);
const hostArgs = (ns: readonly string[]) => ns.flatMap((n) => ['--host', n]);

test('keys list --host of 7 hosts equals `keys list --root DIR` of each host\'s directory, field for field', { skip }, async () => {
  const r = await sshield(['keys', 'list', ...hostArgs(names), '--ssh-config', fleet.sshConfig, '--json', '--parallel', '4']);
  assert.equal(r.code, 0, r.stderr);
  assertMatchesSchema('keys-list-fleet', r.stdout);
  const doc = JSON.parse(r.stdout) as Fleet<KeysDoc>;
  assert.equal(doc.command, 'keys list');
  assert.deepEqual(doc.summary, { hosts: 7, listed: 7, errors: 0, wallMs: doc.summary.wallMs });
  for (const name of names) {
    const remote = doc.hosts.find((h) => h.name === name)!;
    assert.equal(remote.status, 'listed', `${name}: ${remote.error}`);
    const l = await sshield(['keys', 'list', '--root', dirOf(name), '--json']);
    assert.equal(l.code, 0, l.stderr);
    const local = JSON.parse(l.stdout) as KeysDoc;
    assert.equal(remote.listing!.target, name);
    assert.equal(local.target, `root:${dirOf(name)}`);
    assert.deepEqual({ ...remote.listing!, target: '' }, { ...local, target: '' }, name);
  }
  // The busy host: every user's keys, the options, the line sshd ignores, carol's keys under /srv
  // (named by a drop-in: a second gather round), and the listing is not trivially empty anywhere.
  const b = doc.hosts.find((h) => h.name === 'busy')!;
  const users = b.listing!.keys.map((k) => k.user);
  for (const u of ['alice', 'bob', 'carol', 'dave', 'files']) assert.ok(users.includes(u), `${u} in ${users.join(',')}`);
  assert.ok(b.listing!.keys.some((k) => k.file === '/srv/keys/carol'));
  assert.ok(b.listing!.keys.some((k) => k.options === 'restrict,from="10.0.0.0/8"'));
  assert.equal(b.listing!.diagnostics.length, 1);
  assert.ok(b.gather.rounds >= 2, JSON.stringify(b.gather));
  assert.ok(doc.hosts.every((h) => h.listing!.keys.length > 0));
  // One account: --user on every host.
  const one = await sshield(['keys', 'list', '--host', 'busy', '--user', 'bob', '--ssh-config', fleet.sshConfig, '--json']);
  const local = JSON.parse((await sshield(['keys', 'list', '--root', dirOf('busy'), '--user', 'bob', '--json'])).stdout) as KeysDoc;
  assert.deepEqual({ ...(JSON.parse(one.stdout) as Fleet<KeysDoc>).hosts[0]!.listing!, target: '' }, { ...local, target: '' });
  const nouser = await sshield(['keys', 'list', '--host', 'busy', '--host', 'cloud', '--user', 'carol', '--ssh-config', fleet.sshConfig]);
  assert.equal(nouser.code, 2);
  assert.match(nouser.stdout, /^cloud +ERROR no such user: carol$/m);
  assert.match(nouser.stdout, /^busy +carol  \/srv\/keys\/carol:1  ssh-ed25519 256  SHA256:\S+  carol@desk$/m);
});

test('user list --host (and --all) equals `user list --root DIR` of each host, field for field; --cluster lists every PVE node', { skip }, async () => {
  for (const all of [[], ['--all']]) {
    const r = await sshield(['user', 'list', ...hostArgs(names), '--ssh-config', fleet.sshConfig, '--json', ...all]);
    assert.equal(r.code, 0, r.stderr);
    assertMatchesSchema('user-list-fleet', r.stdout);
    const doc = JSON.parse(r.stdout) as Fleet<UsersDoc>;
    for (const name of names) {
      const remote = doc.hosts.find((h) => h.name === name)!;
      assert.equal(remote.status, 'listed', `${name}: ${remote.error}`);
      const l = await sshield(['user', 'list', '--root', dirOf(name), '--json', ...all]);
      assert.equal(l.code, 0, l.stderr);
      assert.deepEqual(remote.listing, JSON.parse(l.stdout), `${name} ${all.join(' ')}`);
    }
    const busyAccounts = doc.hosts.find((h) => h.name === 'busy')!.listing!.accounts;
    assert.deepEqual(Object.fromEntries(busyAccounts.filter((a) => ['bob', 'carol', 'dave'].includes(a.name)).map((a) => [a.name, a.keys])), { bob: 4, carol: 1, dave: 1 }); // bob's line sshd ignores counts as a line
  }
  const c = await sshield(['user', 'list', '--cluster', 'pve-node2', '--ssh-config', fleet.sshConfig]);
  assert.equal(c.code, 0, c.stderr);
  const lines = c.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^HOST +USER +SHELL +PASSWORD +SSH +KEYS +RESTRICTIONS +WHY$/);
  for (const n of ['pve-node1', 'pve-node2', 'pve-node3']) assert.ok(lines.some((l) => new RegExp(`^${n} +root +/bin/bash `).test(l)), `${n} in\n${c.stdout}`);
});

test('backups --host equals `backups --backup-dir DIR/var/backups/sshield` of each host; --backup-dir names a directory on the hosts', { skip }, async () => {
  const r = await sshield(['backups', ...hostArgs(names), '--ssh-config', fleet.sshConfig, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assertMatchesSchema('backups-fleet', r.stdout);
  const doc = JSON.parse(r.stdout) as Fleet<BackupsDoc>;
  for (const name of names) {
    const remote = doc.hosts.find((h) => h.name === name)!;
    assert.equal(remote.status, 'listed', `${name}: ${remote.error}`);
    assert.equal(remote.listing!.backupDir, '/var/backups/sshield');
    const l = await sshield(['backups', '--backup-dir', join(dirOf(name), 'var/backups/sshield'), '--json']);
    assert.equal(l.code, 0, l.stderr);
    assert.deepEqual(remote.listing!.backups, (JSON.parse(l.stdout) as BackupsDoc).backups, name);
    // One round: the backup directory with every backup's manifest and journal in one batch.
    assert.equal(remote.gather.rounds, 1, name);
  }
  const busy = doc.hosts.find((h) => h.name === 'busy')!.listing!.backups;
  assert.deepEqual(busy.map((b) => [b.kind, b.state]), [['unknown', 'unknown'], ['keys', 'committed'], ['user', 'committed']]);
  assert.equal(doc.hosts.find((h) => h.name === 'pve9')!.listing!.backups.length, 0);
  // Another directory on the host (relative to nothing here: an absolute path there).
  const other = await sshield(['backups', '--host', 'busy', '--backup-dir', '/home/../var/backups/sshield/', '--ssh-config', fleet.sshConfig]);
  assert.equal(other.code, 0, other.stderr);
  assert.match(other.stdout, /^busy +\d{8}T\d{6}Z(-\d+)? +keys +committed +in root \S+: \/home\/dave\/\.ssh\/authorized_keys \(new\)$/m);
  const otherJson = await sshield(['backups', '--host', 'busy', '--backup-dir', '/home/../var/backups/sshield/', '--ssh-config', fleet.sshConfig, '--json']);
  assert.equal((JSON.parse(otherJson.stdout) as Fleet<BackupsDoc>).hosts[0]!.listing!.backupDir, '/var/backups/sshield');
  const none = await sshield(['backups', '--host', 'pve9', '--ssh-config', fleet.sshConfig]);
  assert.equal(none.stdout, 'pve9  No backups in /var/backups/sshield.\n');
  // An account that is not root cannot list root's backup directory: an error with the reason, never "no backups".
  const alice = await sshield(['backups', '--host', 'alice@busy', '--ssh-config', fleet.sshConfig]);
  assert.equal(alice.code, 2, alice.stderr);
  assert.match(alice.stdout, /^alice@busy +ERROR cannot list \/var\/backups\/sshield \(mode 0700, owner uid 0\): read it as its owner, or name another --backup-dir$/m);
  const rel = await sshield(['backups', '--host', 'pve9', '--backup-dir', 'rel', '--ssh-config', fleet.sshConfig]);
  assert.equal(rel.code, 2);
  assert.match(rel.stderr, /--backup-dir rel: an absolute path on the hosts/);
});

test('allow list --host of 7 hosts equals `allow list --root DIR` of each host\'s directory, field for field; text with a HOST column; --cluster lists every PVE node', { skip }, async () => {
  const r = await sshield(['allow', 'list', ...hostArgs(names), '--ssh-config', fleet.sshConfig, '--json', '--parallel', '4']);
  assert.equal(r.code, 0, r.stderr);
  assertMatchesSchema('allow-list-fleet', r.stdout);
  const doc = JSON.parse(r.stdout) as Fleet<AllowDoc>;
  assert.equal(doc.command, 'allow list');
  assert.deepEqual(doc.summary, { hosts: 7, listed: 7, errors: 0, wallMs: doc.summary.wallMs });
  assert.deepEqual(doc.hosts.map((h) => h.name), names, 'in the order named');
  for (const name of names) {
    const remote = doc.hosts.find((h) => h.name === name)!;
    assert.equal(remote.status, 'listed', `${name}: ${remote.error}`);
    const l = await sshield(['allow', 'list', '--root', dirOf(name), '--json']);
    assert.equal(l.code, 0, l.stderr);
    assert.deepEqual(remote.listing, JSON.parse(l.stdout), name);
  }
  // The busy host's two lists (where they are set), its own DenyUsers apart from them, the example's AllowGroups.
  const b = doc.hosts.find((h) => h.name === 'busy')!.listing!;
  assert.equal(b.restricted, true);
  assert.deepEqual(b.lists.map((x) => [x.user, x.addresses, x.file]), [['*', ['127.0.0.0/8', '192.0.2.0/24'], '/etc/ssh/sshd_config'], ['bob', ['10.0.0.0/8'], '/etc/ssh/sshd_config']]);
  assert.equal(b.lists[1]!.line, b.lists[0]!.line + 1);
  assert.deepEqual(b.otherAccessLists, { allowusers: [], denyusers: ['mallory'], allowgroups: ['sshusers', 'sftponly'], denygroups: [] });
  assert.equal(doc.hosts.find((h) => h.name === 'pve9')!.listing!.restricted, false);
  // Text: the host in front of each of its lines, as `allow list` prints them for one host.
  const text = await sshield(['allow', 'list', '--host', 'busy', '--host', 'pve9', '--ssh-config', fleet.sshConfig]);
  assert.equal(text.code, 0, text.stderr);
  const one = await sshield(['allow', 'list', '--root', dirOf('busy')]);
  assert.equal(text.stdout, [...one.stdout.trimEnd().split('\n').map((l) => `busy  ${l}`), 'pve9  no allowlist: logins are accepted from any address (subject to the rules below)', ''].join('\n'));
  assert.match(text.stdout, /^busy  everyone: only from 127\.0\.0\.0\/8, 192\.0\.2\.0\/24  \(\/etc\/ssh\/sshd_config:\d+\)$/m);
  const c = await sshield(['allow', 'list', '--cluster', 'pve-node2', '--ssh-config', fleet.sshConfig, '--json']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual((JSON.parse(c.stdout) as Fleet<AllowDoc>).hosts.map((h) => [h.name, h.status]).sort(), [['pve-node1', 'listed'], ['pve-node2', 'listed'], ['pve-node3', 'listed']]);
});

test('an inventory with --limit; text has a HOST column; --root or -f with --host is a usage error', { skip }, async () => {
  const inv = join(work, 'inventory.ini');
  writeFileSync(inv, '[pve]\npve8\npve9\npve-node[1:3]\n\n[vms]\ncloud\nbusy\n');
  const r = await sshield(['keys', 'list', '--inventory', inv, '--limit', 'pve:!pve-node*', '--ssh-config', fleet.sshConfig]);
  assert.equal(r.code, 0, r.stderr);
  const hostsSeen = new Set(r.stdout.trimEnd().split('\n').map((l) => l.split(' ')[0]));
  assert.deepEqual([...hostsSeen], ['pve8', 'pve9']);
  assert.match(r.stdout, /^pve9  root  \/root\/\.ssh\/authorized_keys:\d+  /m);
  for (const args of [['keys', 'list', '--root', '/'], ['keys', 'list', '-f', '/etc/x'], ['user', 'list', '--root', '/'], ['allow', 'list', '--root', '/'], ['allow', 'list', '-f', '/etc/x']]) {
    const u = await sshield([...args, '--host', 'pve9', '--ssh-config', fleet.sshConfig]);
    assert.equal(u.code, 2, args.join(' '));
    assert.match(u.stderr, /--root\/-f name files on this machine/);
  }
});

test('unreachable and hostile hosts: each an error with its reason (exit 2), in bounded time, never an empty listing; the others listed', { skip }, async () => {
  // The four commands at once (each waits out the stalling host's deadline).
  const cmds = [['keys', 'list'], ['user', 'list'], ['backups'], ['allow', 'list']];
  const runs = await Promise.all(cmds.map((cmd) => sshield([...cmd, ...hostArgs(['pve9', 'gone', 'garbage', 'flood', 'huge', 'stall']), '--ssh-config', fleet.sshConfig, '--json', '--host-timeout', '15'])));
  for (const [i, cmd] of cmds.entries()) {
    const r = runs[i]!;
    assert.equal(r.code, 2, `${cmd.join(' ')}: ${r.stderr}`);
    assertMatchesSchema(`${cmd.join('-')}-fleet`, r.stdout);
    const doc = JSON.parse(r.stdout) as Fleet<unknown>;
    const err = Object.fromEntries(doc.hosts.map((h) => [h.name, h.error ?? h.status]));
    assert.equal(err.pve9, 'listed');
    assert.match(err.gone!, /ssh failed: .*Connection refused/);
    assert.match(err.garbage!, /bad gather answer: the answer is not from the gather script/);
    assert.match(err.flood!, /sent more than 33554432 bytes|bad gather answer/);
    assert.match(err.stall!, /no answer within 15 s/);
    // Only the backup listing reads the backups: for it the host sends more than a host may.
    if (cmd[0] === 'backups') assert.match(err.huge!, /sent more than 33554432 bytes/);
    else assert.equal(err.huge, 'listed');
    assert.deepEqual(doc.summary, { hosts: 6, listed: cmd[0] === 'backups' ? 1 : 2, errors: cmd[0] === 'backups' ? 5 : 4, wallMs: doc.summary.wallMs });
    assert.match(r.stderr, /sshield (keys list|user list|backups|allow list): gone \(gone\): ssh failed: .*Connection refused/);
    assert.ok(r.ms < 90_000, `${cmd.join(' ')} took ${r.ms} ms`);
  }
  for (const cmd of [['user', 'list'], ['allow', 'list']]) {
    const text = await sshield([...cmd, '--host', 'gone', '--ssh-config', fleet.sshConfig]);
    assert.equal(text.code, 2, cmd.join(' '));
    assert.match(text.stdout, /^gone +ERROR ssh failed: .*Connection refused$/m, cmd.join(' '));
  }
});

test('progress on a real terminal (one done/total line per host); stdout stays clean JSON; no master left behind', { skip }, async () => {
  const out = join(work, 'progress.json');
  const tty = join(work, 'tty.log');
  const tmp = mkdtempSync('/tmp/sfl-');
  try {
    const cmd = `TMPDIR=${tmp} ${process.execPath} ${BIN} backups --host pve9 --host busy --host gone --ssh-config ${fleet.sshConfig} --json > ${out}`;
    const r = await run('script', ['-q', '-e', '-c', cmd, tty], { timeoutMs: 120_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', LC_ALL: 'C.UTF-8' } });
    assert.equal(r.code, 2, r.stderr);
    const screen = readFileSync(tty, 'latin1');
    for (let i = 1; i <= 3; i++) assert.match(screen, new RegExp(`\\r\\x1b\\[K${i}/3 (pve9|busy|gone)`), `${i}/3 drawn`);
    const json = readFileSync(out, 'utf8');
    assert.doesNotMatch(json, /\x1b|\r/);
    assert.equal((JSON.parse(json) as Fleet<unknown>).hosts.length, 3);
    assert.deepEqual(readdirSync(tmp), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
