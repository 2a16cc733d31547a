// The planners of `keys add` and `keys remove` (src/keys/add-plan.ts, remove-plan.ts) on an
// in-memory host: the exact edit (an appended line; a deleted line, terminator included), the
// new file and ~/.ssh as a file owned by the account and typed make-dir steps, validation
// (type, DSA, RSA size against the policy and RequiredRSASize, options, certificates), a
// duplicate as nothing to do, the shared selectors, and the two guards of remove.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryFs, type MemoryFsSpec } from '../../../src/host/memory-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { loadHost } from '../../../src/host/loaded-host.js';
import { planKeysAdd, DEFAULT_MIN_RSA_BITS } from '../../../src/keys/add-plan.js';
import { planKeysRemove } from '../../../src/keys/remove-plan.js';
import { selectorProblem } from '../../../src/keys/select.js';
import { applyEdits } from '../../../src/text/edit.js';
import type { KeysChangeResult } from '../../../src/keys/change-plan.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'keys');
const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F one';
const ED2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVzV7b3uYd0n8m5H4mI9o3l7C8p0QJqf0l1zvQ5bqYQ two';
const RSA3072 = readFileSync(join(FIX, 'rsa3072.pub'), 'latin1').trim();
const RSA2048 = readFileSync(join(FIX, 'rsa2048.pub'), 'latin1').trim();
const DSA = readFileSync(join(FIX, 'dsa.pub'), 'latin1').trim();

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\n';
const GROUP = 'root:x:0:\nsudo:x:27:alice\nalice:x:1000:\nbob:x:1001:\n';

function host(extra: MemoryFsSpec = {}, config = 'PermitRootLogin prohibit-password\n') {
  return memoryFs({
    '/etc/passwd': PASSWD,
    '/etc/group': GROUP,
    '/etc/ssh/sshd_config': config,
    '/usr/bin/sudo': { content: '', mode: 0o4755 },
    '/root': { kind: 'dir', mode: 0o700 },
    '/home/alice': { kind: 'dir', mode: 0o755, uid: 1000, gid: 1000 },
    '/home/bob': { kind: 'dir', mode: 0o755, uid: 1001, gid: 1001 },
    ...extra,
  });
}

async function ctx(fs: ReturnType<typeof memoryFs>) {
  const loaded = await loadHost(offlineExecutor(fs), { mainPath: '/etc/ssh/sshd_config', facts: 'config' });
  const a = loaded.facts.accounts;
  assert.equal(a.status, 'known');
  return { fs, loaded, accounts: (a as Extract<typeof a, { status: "known" }>).value, mainConfig: '/etc/ssh/sshd_config' };
}

function planOf(r: KeysChangeResult) {
  assert.equal(r.kind, 'plan', JSON.stringify(r));
  return r as Extract<KeysChangeResult, { kind: 'plan' }>;
}

const aliceKeys = (text: string, mode = 0o600) => ({ '/home/alice/.ssh': { kind: 'dir' as const, mode: 0o700, uid: 1000, gid: 1000 }, '/home/alice/.ssh/authorized_keys': { content: text, mode, uid: 1000, gid: 1000 } });

test('add: appends exactly one line to the existing file; the old bytes stay as they were', async () => {
  const before = `# keep me\r\n${ED1}`; // CRLF and no final newline: both kept
  const c = await ctx(host(aliceKeys(before)));
  const r = planOf(await planKeysAdd({ ...c, user: 'alice', text: ED2, source: '--key' }));
  const f = r.plan.files[0]!;
  assert.equal(f.path, '/home/alice/.ssh/authorized_keys');
  assert.deepEqual(f.edits, [{ start: before.length, end: before.length, text: `\n${ED2}\n` }]);
  assert.equal(f.after, `${before}\n${ED2}\n`);
  assert.equal(applyEdits(before, f.edits), f.after);
  assert.equal(f.newFileOwner, undefined);
  assert.equal(r.plan.steps, undefined);
  assert.equal(r.plan.kind, 'keys');
  assert.equal(r.plan.reload.kind, 'none');
  assert.deepEqual((r.details as { added: { line: number }[] }).added.map((a) => a.line), [3]);
});

test('add: a missing ~/.ssh and file become a make-dir step (0700, the account) and a new file owned by the account, 0600', async () => {
  const c = await ctx(host());
  const r = planOf(await planKeysAdd({ ...c, user: 'bob', text: `${ED1}\n`, source: 'stdin' }));
  assert.deepEqual(r.plan.steps, [{ kind: 'make-dir', path: '/home/bob/.ssh', hostPath: '/home/bob/.ssh', mode: 0o700, owner: { uid: 1001, gid: 1001 }, describe: 'mkdir -m 0700 /home/bob/.ssh, owned by bob', stage: 'before-files', before: { exists: false } }]);
  const f = r.plan.files[0]!;
  assert.equal(f.beforeSha256, null);
  assert.equal(f.after, `${ED1}\n`);
  assert.equal(f.newFileMode, 0o600);
  assert.deepEqual(f.newFileOwner, { uid: 1001, gid: 1001 });
  // Under an offline root the host paths are inside it and the step carries the root.
  const rooted = planOf(await planKeysAdd({ ...c, root: '/mnt/img', user: 'bob', text: ED1, source: '--key' }));
  assert.equal(rooted.plan.files[0]!.hostPath, '/mnt/img/home/bob/.ssh/authorized_keys');
  assert.equal((rooted.plan.steps![0] as { hostPath: string; root: string }).hostPath, '/mnt/img/home/bob/.ssh');
});

test('add: the effective AuthorizedKeysFile decides the file (Match User, %u outside the home)', async () => {
  const cfg = 'AuthorizedKeysFile .ssh/authorized_keys\nMatch User bob\n  AuthorizedKeysFile /etc/ssh/keys/%u\n';
  const c = await ctx(host({ '/etc/ssh/keys': { kind: 'dir', mode: 0o755 } }, cfg));
  const r = planOf(await planKeysAdd({ ...c, user: 'bob', text: ED1, source: '--key' }));
  assert.equal(r.plan.files[0]!.path, '/etc/ssh/keys/bob');
  assert.equal(r.plan.steps, undefined);
  // A missing directory outside the home is not made.
  const c2 = await ctx(host({}, cfg));
  const refused = await planKeysAdd({ ...c2, user: 'bob', text: ED1, source: '--key' });
  assert.equal(refused.kind, 'refused');
  assert.match((refused as { reason: string }).reason, /\/etc\/ssh\/keys does not exist and is outside bob's home/);
});

test('add: a key the account already has is nothing to do (a second run changes nothing)', async () => {
  const c = await ctx(host(aliceKeys(`restrict ${ED1}\n`)));
  const r = planOf(await planKeysAdd({ ...c, user: 'alice', text: `${ED1}\n`, source: '--key' }));
  assert.deepEqual(r.plan.files, []);
  assert.match(r.summary, /Nothing to add: alice already has SHA256:\S+ at \/home\/alice\/.ssh\/authorized_keys:1/);
  // Of two offered keys only the new one is added; the same key twice in the input is added once.
  const two = planOf(await planKeysAdd({ ...c, user: 'alice', text: `${ED1}\n${ED2}\n${ED2}\n`, source: 'k.pub' }));
  assert.equal(two.plan.files[0]!.after, `restrict ${ED1}\n${ED2}\n`);
});

test('add: refuses DSA, short RSA (policy 3072 and RequiredRSASize), certificates, bad options, garbage, with source:line', async () => {
  const c = await ctx(host());
  const err = async (text: string, re: RegExp, extra: Record<string, unknown> = {}, cc = c) => {
    const r = await planKeysAdd({ ...cc, user: 'bob', text, source: 'in.pub', ...extra });
    assert.equal(r.kind, 'error', JSON.stringify(r));
    assert.match((r as { reason: string }).reason, re);
  };
  assert.equal(DEFAULT_MIN_RSA_BITS, 3072);
  await err(DSA, /^in\.pub:1: DSA \(ssh-dss\) keys are refused/);
  await err(`${ED1}\n${RSA2048}`, /^in\.pub:2: RSA key of 2048 bits is too short: sshield's minimum is 3072 bits \(NIST SP 800-57/);
  planOf(await planKeysAdd({ ...c, user: 'bob', text: RSA3072, source: 'in.pub' }));
  planOf(await planKeysAdd({ ...c, user: 'bob', text: RSA2048, source: 'in.pub', minRsaBits: 2048 }));
  const strict = await ctx(host({}, 'RequiredRSASize 4096\n'));
  await err(RSA3072, /RSA key of 3072 bits is too short: sshd's RequiredRSASize is 4096/, {}, strict);
  const noEd = await ctx(host({}, 'PubkeyAcceptedAlgorithms rsa-sha2-512\n'));
  await err(ED1, /PubkeyAcceptedAlgorithms does not offer ssh-ed25519/, {}, noEd);
  await err(`bogus="x" ${ED1}`, /^in\.pub:1:1: bad key options/);
  await err('ssh-ed25519 AAAA@@ x', /^in\.pub:1:\d+: the ssh-ed25519 key is not valid base64/);
  await err('hello world', /^in\.pub:1:1: no public key found on this line/);
  await err('# only a comment\n', /in\.pub: no public key/);
  const cert = ED1.replace('ssh-ed25519 ', 'ssh-ed25519-cert-v01@openssh.com ');
  const r = await planKeysAdd({ ...c, user: 'bob', text: cert, source: 'in.pub' });
  assert.equal(r.kind, 'error'); // not a valid certificate blob, or a certificate: refused either way
  await err(ED1, /no such user: nobody/, { user: 'nobody' });
});

test('add: --restrict/--from give the new line the options `keys restrict` would; options on the offered line are kept', async () => {
  const c = await ctx(host());
  const r = planOf(await planKeysAdd({ ...c, user: 'bob', text: ED1, source: '--key', request: { mode: 'restrict', restrict: true, from: '127.0.0.1' } }));
  assert.equal(r.plan.files[0]!.after, `restrict,from="127.0.0.1" ${ED1}\n`);
  const kept = planOf(await planKeysAdd({ ...c, user: 'bob', text: `no-pty ${ED1}`, source: '--key', request: { mode: 'restrict', restrict: true } }));
  assert.equal(kept.plan.files[0]!.after, `restrict,no-pty ${ED1}\n`);
});

test('remove: deletes exactly the chosen line with its terminator; the others stay byte for byte', async () => {
  const before = `# top\n${ED1}\r\n${ED2}\n${RSA3072}`;
  const c = await ctx(host(aliceKeys(before)));
  const base = { ...c, user: 'alice', overrides: new Set<string>(), now: Date.parse('2026-12-01') };
  const byLine = planOf(await planKeysRemove({ ...base, select: { line: '2' } }));
  const f = byLine.plan.files[0]!;
  assert.deepEqual(f.edits, [{ start: 6, end: 6 + ED1.length + 2, text: '' }]);
  assert.equal(f.after, `# top\n${ED2}\n${RSA3072}`);
  const last = planOf(await planKeysRemove({ ...base, select: { comment: 'r3' } }));
  assert.equal(last.plan.files[0]!.after, `# top\n${ED1}\r\n${ED2}\n`);
  const byFp = planOf(await planKeysRemove({ ...base, select: { line: '/home/alice/.ssh/authorized_keys:3' } }));
  assert.equal(byFp.plan.files[0]!.after, `# top\n${ED1}\r\n${RSA3072}`);
  assert.deepEqual(byLine.plan.guards.map((g) => [g.id, g.ok]), [['last-admin-key', true]]);
});

test('remove: selectors that name nothing are errors; a selector is exactly one of four', async () => {
  const c = await ctx(host(aliceKeys(`${ED1}\n`)));
  const base = { ...c, user: 'alice', overrides: new Set<string>(), now: 0 };
  for (const [select, re] of [
    [{ line: '1' }, undefined],
    [{ line: '2' }, /\/home\/alice\/.ssh\/authorized_keys:2 is not a key line of alice/],
    [{ comment: 'nope' }, /no key of alice has the comment "nope"/],
    [{ fingerprint: 'SHA256:xyz' }, /no key of alice has fingerprint SHA256:xyz/],
  ] as const) {
    const r = await planKeysRemove({ ...base, select });
    if (re) assert.match((r as { reason: string }).reason, re);
    else assert.equal(r.kind, 'plan');
  }
  assert.match(selectorProblem({}) ?? '', /exactly one of --fingerprint/);
  assert.match(selectorProblem({ line: '1', all: true }) ?? '', /exactly one/);
  assert.match(selectorProblem({ line: 'x' }) ?? '', /not a line number/);
  assert.equal(selectorProblem({ comment: 'a b' }), undefined);
});

test("remove: an admin's last key sshd accepts is refused (--allow-no-key-admin); expired, cert-authority and DSA keys do not count", async () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const text = `expiry-time="20200101" ${ED2}\ncert-authority ${RSA3072}\n${DSA}\n${ED1}\n`;
  const c = await ctx(host(aliceKeys(text)));
  const base = { ...c, user: 'alice', now };
  const r = planOf(await planKeysRemove({ ...base, select: { comment: 'one' }, overrides: new Set() }));
  const g = r.plan.guards.find((x) => x.id === 'last-admin-key')!;
  assert.equal(g.ok, false);
  assert.equal(g.overridden, false);
  assert.equal(g.overrideFlag, '--allow-no-key-admin');
  assert.match(g.message, /alice \(in group sudo, sudo installed\) would have no key sshd accepts left: SHA256:\S+ \(\/home\/alice\/.ssh\/authorized_keys:4\) would be gone/);
  const over = planOf(await planKeysRemove({ ...base, select: { comment: 'one' }, overrides: new Set(['--allow-no-key-admin']) }));
  assert.equal(over.plan.guards[0]!.overridden, true);
  // bob is no admin: his last key may go; root is, while PermitRootLogin lets it in.
  const cb = await ctx(host({ '/home/bob/.ssh/authorized_keys': { content: `${ED1}\n`, uid: 1001, gid: 1001, mode: 0o600 } }));
  assert.deepEqual(planOf(await planKeysRemove({ ...cb, user: 'bob', select: { all: true }, overrides: new Set(), now })).plan.guards, []);
  const rootKeys = { '/root/.ssh/authorized_keys': { content: `${ED1}\n`, mode: 0o600 } };
  const cr = await ctx(host(rootKeys));
  assert.equal(planOf(await planKeysRemove({ ...cr, user: 'root', select: { all: true }, overrides: new Set(), now })).plan.guards[0]!.ok, false);
  const crNo = await ctx(host(rootKeys, 'PermitRootLogin no\n'));
  assert.deepEqual(planOf(await planKeysRemove({ ...crNo, user: 'root', select: { all: true }, overrides: new Set(), now })).plan.guards, []);
});

test("remove: the current session's key is refused (--force), known from SSH_USER_AUTH", async () => {
  const fs = host({ ...aliceKeys(`${ED1}\n${ED2}\n`), '/run/auth': `publickey ${ED2.split(' ').slice(0, 2).join(' ')}\n` });
  const c = await ctx(fs);
  const session = { me: 'alice', sshConnection: '127.0.0.1 5555 127.0.0.1 22', sshUserAuth: '/run/auth', hostFs: fs };
  const base = { ...c, user: 'alice', now: 0, session };
  const hit = planOf(await planKeysRemove({ ...base, select: { comment: 'two' }, overrides: new Set() }));
  const g = hit.plan.guards.find((x) => x.id === 'session-key')!;
  assert.equal(g.ok, false);
  assert.match(g.message, /the key your current SSH session used \(SHA256:\S+, from SSH_USER_AUTH\)/);
  const forced = planOf(await planKeysRemove({ ...base, select: { comment: 'two' }, overrides: new Set(['--force']) }));
  assert.equal(forced.plan.guards.find((x) => x.id === 'session-key')!.overridden, true);
  const other = planOf(await planKeysRemove({ ...base, select: { comment: 'one' }, overrides: new Set() }));
  assert.equal(other.plan.guards.find((x) => x.id === 'session-key')!.ok, true);
});
