// Every `--json` output is versioned and described: the built CLI (bin/sshield.js) is run for
// every read-only command on every example root (and on copies changed by a real `allow add`),
// `scan` against real loopback sshd instances (and a closed port), and each stdout must match
// its schema in schemas/ (JSON Schema 2020-12, ajv strict mode). The schemas themselves must be
// valid, shipped in the package, and strict enough to reject a document with a field missing or
// one nobody described.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, run, sshdAvailable, startSshd, type SshdInstance } from '../../helpers/sshd.js';
import { assertMatchesSchema, loadSchema, schemaNames, validatorFor } from '../../helpers/json-schema.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
const EXAMPLES = ['debian12-cloud', 'hardened', 'pve-cluster-node', 'pve8-default', 'pve9-default'];
const skipSshd = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
let dir = '';

before(() => {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'sshield-schema-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI; returns stdout after checking the exit code is one of `codes`. */
async function sshield(args: string[], codes: readonly number[] = [0], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await run(process.execPath, [BIN, ...args], { env: { NO_COLOR: '1', SSHIELD_TODAY: '2026-12-01', ...env } });
  assert.ok(codes.includes(r.code ?? -1), `sshield ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

/** A writable copy of an example root. */
function copyOf(example: string): string {
  const root = mkdtempSync(join(dir, `${example}-`));
  cpSync(join(REPO, 'examples', example), root, { recursive: true, verbatimSymlinks: true });
  return root;
}

/** Every (sub)command of the built CLI that takes --json, as schema names ("keys-list"), from its --help. */
async function commandsWithJson(path: string[] = []): Promise<string[]> {
  const help = (await run(process.execPath, [BIN, ...path, '--help'])).stdout;
  const out = path.length && /^\s+(?:-\w, )?--json\b/m.test(help) ? [path.join('-')] : [];
  const lines = help.split('\n');
  const start = lines.indexOf('Commands:');
  if (start < 0) return out;
  for (const line of lines.slice(start + 1)) {
    if (!line.trim()) break;
    const m = /^  ([a-z][a-z0-9-]*)\b/.exec(line);
    if (m && m[1] !== 'help') out.push(...(await commandsWithJson([...path, m[1]!])));
  }
  return out;
}

test('every command that takes --json has its schema, and every schema is valid JSON Schema 2020-12, shipped in the package', async () => {
  const names = schemaNames();
  const commands = await commandsWithJson();
  assert.ok(commands.length >= 20 && commands.includes('keys-list') && commands.includes('harden'), commands.join(' '));
  // The change envelope is shared by the changing commands' schemas; audit-fleet is `audit --host ...`'s
  // envelope (tested in test/integration/fleet/), change-fleet a changing command's over fleet flags
  // (test/unit/report/change-fleet-golden.test.ts), and keys-list-fleet, user-list-fleet, allow-list-fleet,
  // backups-fleet the listings' (test/integration/fleet/fleet-lists.test.ts); every other schema is
  // a command's.
  assert.deepEqual(names, [...commands, 'change', 'audit-fleet', 'change-fleet', 'keys-list-fleet', 'user-list-fleet', 'backups-fleet', 'allow-list-fleet'].sort());
  for (const n of names) {
    const s = loadSchema(n);
    assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema', n);
    assert.equal(s.$id, `urn:sshield:schema:${n}`, n);
    assert.equal(typeof s.description, 'string', `${n}: says what it describes`);
    validatorFor(n); // compiles in ajv's strict mode (unknown keywords, formats or loose types throw)
  }
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('schemas'), 'package.json "files" ships schemas/');
});

test('the schemas reject a document without its version, with another version, or with an undescribed field', async () => {
  const doc = JSON.parse(await sshield(['keys', 'list', '--root', join(REPO, 'examples', 'pve9-default'), '--json'])) as Record<string, unknown>;
  assertMatchesSchema('keys-list', doc);
  const { schemaVersion: _, ...unversioned } = doc;
  for (const bad of [unversioned, { ...doc, schemaVersion: 2 }, { ...doc, surprise: true }, { ...doc, command: 'user list' }]) {
    assert.equal(validatorFor('keys-list')(bad), false, JSON.stringify(Object.keys(bad)));
  }
});

test('audit --json of every example root (and with a policy file that waives a rule) matches schemas/audit', async () => {
  for (const ex of EXAMPLES) {
    const out = await sshield(['audit', '--root', join(REPO, 'examples', ex), '--json'], [0, 1]);
    assertMatchesSchema('audit', out, `audit ${ex}`);
    assert.equal(JSON.parse(out).schemaVersion, 1);
  }
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, 'extends: strict\nwaivers:\n  - { rule: sshd/no-x11-forwarding, reason: "GUI admin tools", expires: 2027-06-30 }\n  - { rule: sshd/no-tcp-forwarding, reason: "old", expires: 2020-01-01 }\n');
  const waived = JSON.parse(await sshield(['audit', '--root', join(REPO, 'examples', 'pve9-default'), '--profile', policy, '--json'], [0, 1])) as { waivers: unknown[]; results: { waived?: unknown }[] };
  assertMatchesSchema('audit', waived, 'audit with waivers');
  assert.equal(waived.waivers.length, 2);
  assert.ok(waived.results.some((r) => r.waived), 'a result carries its waiver');
});

test('effective, keys list, user list and allow list --json of every example root match their schemas', async () => {
  for (const ex of EXAMPLES) {
    const root = join(REPO, 'examples', ex);
    assertMatchesSchema('effective', await sshield(['effective', '--root', root, '--json']), `effective ${ex}`);
    assertMatchesSchema('effective', await sshield(['effective', '--root', root, '--json', '-C', 'user=root,addr=192.0.2.7,host=x,laddr=10.0.0.1,lport=22']), `effective -C ${ex}`);
    assertMatchesSchema('keys-list', await sshield(['keys', 'list', '--root', root, '--json']), `keys list ${ex}`);
    assertMatchesSchema('user-list', await sshield(['user', 'list', '--root', root, '--json']), `user list ${ex}`);
    assertMatchesSchema('user-list', await sshield(['user', 'list', '--all', '--root', root, '--json']), `user list --all ${ex}`);
    assertMatchesSchema('allow-list', await sshield(['allow', 'list', '--root', root, '--json']), `allow list ${ex}`);
  }
});

test('keys list --json with lines sshd ignores reports them as diagnostics that match the schema', async () => {
  const root = copyOf('pve9-default');
  // root's authorized_keys links to /etc/pve/priv/authorized_keys, as on PVE.
  appendFileSync(join(root, 'etc', 'pve', 'priv', 'authorized_keys'), 'ssh-ed25519 not-base64!! broken\nno-pty,bogus="x ssh-ed25519 AAAA\n');
  const doc = JSON.parse(await sshield(['keys', 'list', '--root', root, '--json'])) as { diagnostics: unknown[] };
  assertMatchesSchema('keys-list', doc);
  assert.ok(doc.diagnostics.length >= 1, 'the broken lines are reported');
});

test('allow list, backups and confirm --json after a real `allow add` on a root copy match their schemas', async () => {
  const root = copyOf('pve9-default');
  const backups = join(dir, 'backups');
  await sshield(['allow', 'add', '192.0.2.0/24', '2001:db8::/32', '--root', root, '--backup-dir', backups, '--yes']);
  const list = JSON.parse(await sshield(['allow', 'list', '--root', root, '--json'])) as { restricted: boolean; lists: { addresses: string[] }[] };
  assertMatchesSchema('allow-list', list, 'allow list after add');
  assert.equal(list.restricted, true);
  assert.deepEqual(list.lists[0]?.addresses, ['192.0.2.0/24', '2001:db8::/32']);
  const b = JSON.parse(await sshield(['backups', '--backup-dir', backups, '--json'])) as { backups: { kind: string; files: unknown[] }[] };
  assertMatchesSchema('backups', b);
  assert.equal(b.backups.length, 1);
  assert.equal(b.backups[0]?.kind, 'allow');
  assert.ok(b.backups[0]!.files.length >= 1);
  assertMatchesSchema('backups', await sshield(['backups', '--backup-dir', join(dir, 'none'), '--json']), 'no backups');
  assertMatchesSchema('confirm', await sshield(['confirm', '--backup-dir', backups, '--json']), 'confirm with nothing pending');
});

test('data show and data update --json (from the tracker fixture, into a scratch data dir) match their schemas', async () => {
  const env = { SSHIELD_DATA_DIR: mkdtempSync(join(dir, 'data-')), SSHIELD_TODAY: '2026-12-05' };
  assertMatchesSchema('data-show', await sshield(['data', 'show', '--json'], [0], env), 'data show (bundled)');
  const from = join(REPO, 'test', 'fixtures', 'data-update', 'debian-tracker-openssh.json');
  const first = JSON.parse(await sshield(['data', 'update', '--from', from, '--json'], [0], env)) as { changes: string[] };
  assertMatchesSchema('data-update', first, 'data update');
  assert.ok(first.changes.length > 0);
  const again = JSON.parse(await sshield(['data', 'update', '--from', from, '--json'], [0], env)) as { previous?: string };
  assertMatchesSchema('data-update', again, 'data update again (previous copy kept)');
  assert.ok(again.previous);
  assertMatchesSchema('data-show', await sshield(['data', 'show', '--json'], [0], env), 'data show (stored)');
});

test('effective --engine sshd --json matches the same schema as the builtin engine', { skip: skipSshd }, async () => {
  const inst = await startSshd({ config: 'PermitRootLogin no\n' });
  try {
    const doc = JSON.parse(await sshield(['effective', '--engine', 'sshd', '-f', inst.configPath, '--json', '-C', 'user=root,addr=127.0.0.2,host=x,laddr=127.0.0.1,lport=22'])) as { spec: unknown };
    assertMatchesSchema('effective', doc, 'effective --engine sshd');
    assert.deepEqual(doc.spec, { user: 'root', addr: '127.0.0.2', host: 'x', laddr: '127.0.0.1', lport: 22 });
  } finally {
    await inst.stop();
  }
});

test('scan --json of real loopback sshd instances (host keys, auth methods) and a closed port matches schemas/scan', { skip: skipSshd }, async () => {
  const instances: SshdInstance[] = [];
  try {
    instances.push(await startSshd({ hostKeyTypes: ['ed25519', 'rsa'] }));
    instances.push(await startSshd({ config: 'Ciphers aes128-cbc,aes256-ctr\nMACs hmac-sha1\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n' }));
    const closed = await freePort();
    const targets = [...instances.map((i) => `${i.address}:${i.port}`), `127.0.0.1:${closed}`];
    const plain = JSON.parse(await sshield(['scan', ...targets, '--json', '--timeout', '10000'], [2])) as { targets: { status: string }[] };
    assertMatchesSchema('scan', plain, 'scan');
    assert.deepEqual(plain.targets.map((t) => t.status), ['ok', 'ok', 'error']);
    const full = await sshield(['scan', ...targets.slice(0, 2), '--host-keys', '--user', 'root', '--format', 'json', '--timeout', '10000'], [0, 1]);
    assertMatchesSchema('scan', full, 'scan --host-keys --user');
    const t0 = (JSON.parse(full) as { targets: { hostKeys?: unknown[]; auth?: unknown }[] }).targets[0]!;
    assert.ok(t0.hostKeys && t0.hostKeys.length >= 2 && t0.auth, 'host keys and auth were fetched');
  } finally {
    for (const i of instances) await i.stop();
  }
});
