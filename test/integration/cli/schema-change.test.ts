// The change envelope, described: every command that changes a host prints the one JSON envelope
// ({ schemaVersion, command, outcome, plan, backup, verify, messages }) and each output must match
// schemas/<command>.schema.json (which refers to schemas/change.schema.json and fixes `command`).
// The built CLI runs every changing command on copies of example roots (applied, dry run,
// refused by a guard, no TTY, nothing to do, bad input) and `allow add` against a live loopback
// sshd started with -f (reloaded through its PidFile and verified by a new connection). The
// exit code must be the one the envelope names, and plan.details the command's own (allow proof,
// keys chosen, user checks, the backup restored; none for harden; confirm has no plan).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run, sshdAvailable, startSshd } from '../../helpers/sshd.js';
import { assertMatchesSchema, validatorFor } from '../../helpers/json-schema.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
let dir = '';

before(() => {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'sshield-schema-change-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Envelope {
  schemaVersion: number;
  command: string;
  outcome: { kind: string; exitCode: number; backupId?: string };
  plan: { files: unknown[] } | null;
  backup: { id: string } | null;
  verify: { status: string } | null;
  messages: { level: string; text: string }[];
}

/**
 * Runs a changing command of the built CLI with --json (stdin is not a TTY), checks its stdout
 * against the command's schema, the outcome against `kind` and the exit code against the one
 * the envelope names; returns the envelope.
 */
async function change(args: string[], kind: string): Promise<Envelope> {
  const r = await run(process.execPath, [BIN, ...args, '--json'], { env: { NO_COLOR: '1', SSHIELD_TODAY: '2026-12-01' }, timeoutMs: 120_000 });
  let doc: Envelope;
  try {
    doc = JSON.parse(r.stdout) as Envelope;
  } catch {
    assert.fail(`sshield ${args.join(' ')}: stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  const command = args.slice(0, args[0] === 'harden' || args[0] === 'restore' || args[0] === 'confirm' ? 1 : 2).join(' ');
  assert.equal(doc.command, command);
  assertMatchesSchema(command.replace(' ', '-'), doc, `sshield ${args.join(' ')}`);
  assert.equal(doc.outcome.kind, kind, `sshield ${args.join(' ')}: ${JSON.stringify(doc.outcome)}\n${r.stderr}`);
  assert.equal(r.code, doc.outcome.exitCode, `sshield ${args.join(' ')}: the exit code is the envelope's`);
  return doc;
}

function copyOf(example: string): string {
  const root = mkdtempSync(join(dir, `${example}-`));
  cpSync(join(REPO, 'examples', example), root, { recursive: true, verbatimSymlinks: true });
  return root;
}

test('each changing command has its schema, which fixes `command` and the exit code of each outcome', () => {
  const names = ['harden', 'allow-add', 'allow-remove', 'user-nologin', 'user-add', 'user-sftp', 'keys-restrict', 'keys-unrestrict', 'keys-add', 'keys-remove', 'restore', 'confirm'];
  const ok = { schemaVersion: 1, command: 'harden', outcome: { kind: 'nothing-to-do', exitCode: 0 }, plan: null, backup: null, verify: null, messages: [] };
  assertMatchesSchema('harden', ok);
  for (const n of names) assert.equal(validatorFor(n)({ ...ok, command: n === 'harden' ? 'restore' : 'harden' }), false, `${n} accepts only its own command`);
  for (const bad of [
    { ...ok, outcome: { kind: 'nothing-to-do', exitCode: 3 } },
    { ...ok, outcome: { kind: 'applied', exitCode: 0 } },
    { ...ok, outcome: { kind: 'declined', exitCode: 3, reason: 'x' } },
    { ...ok, outcome: { kind: 'made-up', exitCode: 0 } },
    { ...ok, schemaVersion: 2 },
    { ...ok, extra: 1 },
  ]) {
    assert.equal(validatorFor('harden')(bad), false, JSON.stringify(bad.outcome));
  }
});

test('harden on a root copy: dry run, no TTY, refused by a guard, applied, nothing to do', async () => {
  const root = copyOf('pve9-default');
  const bk = join(dir, 'bk-harden');
  const dry = await change(['harden', '--root', root, '--dry-run', '--backup-dir', bk], 'dry-run');
  assert.ok(dry.plan && dry.plan.files.length > 0);
  await change(['harden', '--root', root, '--allow-no-key-admin', '--backup-dir', bk], 'no-tty');
  await change(['harden', '--root', root, '--yes', '--backup-dir', bk], 'refused');
  const applied = await change(['harden', '--root', root, '--yes', '--allow-no-key-admin', '--backup-dir', bk], 'applied');
  assert.ok(applied.backup && applied.backup.id === applied.outcome.backupId);
  await change(['harden', '--root', root, '--yes', '--allow-no-key-admin', '--backup-dir', bk], 'nothing-to-do');
  await change(['restore', '--dry-run', '--backup-dir', bk], 'dry-run');
  await change(['restore', '--yes', '--backup-dir', bk], 'applied');
  await change(['confirm', '--backup-dir', bk], 'nothing-to-do');
});

test('allow, keys and user on a root copy: applied, dry run, bad input, and a restore that removes an account', async () => {
  const root = copyOf('pve-cluster-node');
  const bk = join(dir, 'bk-other');
  await change(['allow', 'add', '192.0.2.0/24', '2001:db8::/32', '--root', root, '--yes', '--backup-dir', bk], 'applied');
  await change(['allow', 'add', '10.0.0', '--root', root, '--yes', '--backup-dir', bk], 'error');
  await change(['allow', 'remove', '192.0.2.0/24', '--root', root, '--dry-run', '--backup-dir', bk], 'dry-run');
  await change(['keys', 'restrict', '--user', 'root', '--all', '--options', 'no-pty', '--root', root, '--yes', '--backup-dir', bk], 'applied');
  await change(['keys', 'unrestrict', '--user', 'root', '--all', '--options', 'no-pty', '--root', root, '--yes', '--backup-dir', bk], 'applied');
  await change(['user', 'nologin', 'ops', '--root', root, '--dry-run', '--backup-dir', bk], 'dry-run');
  await change(['user', 'add', 'sshield-t-schema', '--nologin', '--root', root, '--dry-run', '--backup-dir', bk], 'dry-run');
  const sftp = await change(['user', 'sftp', 'ops', '--chroot', '/srv/sftp/ops', '--create', '--root', root, '--dry-run', '--backup-dir', bk], 'dry-run');
  assert.ok(JSON.stringify(sftp.plan).includes('"make-dir"'), 'typed host steps are in the plan');
  // Each command's schema describes its own details: the user's are not the allowlist's, harden has none.
  assert.equal(validatorFor('allow-add')({ ...sftp, command: 'allow add' }), false);
  assert.equal(validatorFor('harden')({ ...sftp, command: 'harden' }), false);
  await change(['user', 'nologin', 'ops', '--root', root, '--yes', '--backup-dir', bk], 'applied');
  await change(['user', 'add', 'sshield-t-schema', '--nologin', '--root', root, '--yes', '--backup-dir', bk], 'applied');
  const undo = await change(['restore', '--yes', '--backup-dir', bk], 'applied');
  assert.ok(JSON.stringify(undo.plan).includes('"delete-account"'), 'the restore undoes the account with a typed step');
});

test('keys add and keys remove on a root copy: dry run, applied, nothing to do, bad key, refused by a guard, restore', async () => {
  const root = copyOf('debian12-cloud');
  const bk = join(dir, 'bk-keys');
  const pub = join(REPO, 'test', 'fixtures', 'keys', 'rsa3072.pub');
  const add = ['keys', 'add', '--user', 'debian', '--file', pub, '--root', root, '--backup-dir', bk];
  const dry = await change([...add, '--dry-run'], 'dry-run');
  assert.equal((dry.plan as unknown as { details: { added: unknown[] } }).details.added.length, 1);
  await change(add, 'no-tty');
  const applied = await change([...add, '--yes', '--restrict'], 'applied');
  assert.ok(applied.backup && applied.backup.id === applied.outcome.backupId);
  await change([...add, '--yes'], 'nothing-to-do');
  await change(['keys', 'add', '--user', 'debian', '--file', join(REPO, 'test', 'fixtures', 'keys', 'rsa2048.pub'), '--root', root, '--yes', '--backup-dir', bk], 'error');
  await change(['keys', 'add', '--user', 'debian', '--key', 'ssh-ed25519 AAAA', '--root', root, '--yes', '--backup-dir', bk], 'error');
  const refused = await change(['keys', 'remove', '--user', 'debian', '--all', '--root', root, '--yes', '--backup-dir', bk], 'refused');
  assert.ok(refused.plan && JSON.stringify(refused.plan).includes('"last-admin-key"'));
  const removed = await change(['keys', 'remove', '--user', 'debian', '--comment', 'legacy@old-bastion', '--root', root, '--yes', '--backup-dir', bk], 'applied');
  assert.equal((removed.plan as unknown as { details: { removed: { line: number }[] } }).details.removed[0]!.line, 2);
  await change(['keys', 'remove', '--user', 'debian', '--line', '9', '--root', root, '--yes', '--backup-dir', bk], 'error');
  await change(['restore', '--yes', '--backup-dir', bk], 'applied');
});

test('allow add on a live loopback sshd (-f): applied, reloaded through its PidFile and verified', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, async () => {
  const inst = await startSshd();
  try {
    const doc = await change(['allow', 'add', '127.0.0.0/8', '-f', inst.configPath, '--yes', '--backup-dir', join(dir, 'bk-live')], 'applied');
    assert.equal(doc.verify?.status, 'verified', JSON.stringify(doc.verify));
  } finally {
    await inst.stop();
  }
});
