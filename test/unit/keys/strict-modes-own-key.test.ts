// The two judgements `keys` makes for a person changing their own keys: StrictModes on the files
// a plan writes as they will be (src/keys/strict-modes-plan.ts: refused, or made go-w with
// --fix-modes through the writer: the file's new mode, a set-ownership step per directory), and
// the own-key guard (src/keys/own-key-guard.ts: at least one key that logs in with a shell from
// the session's address).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs, type MemoryFsSpec } from '../../../src/host/memory-fs.js';
import { makeAccounts, parseGroup, parsePasswd } from '../../../src/host/facts/accounts.js';
import { sha256, type FileChange, type Plan } from '../../../src/apply/plan.js';
import { keysPlan } from '../../../src/keys/change-plan.js';
import { strictModesCheck } from '../../../src/keys/strict-modes-plan.js';
import { noShellWith, ownKeyGuard } from '../../../src/keys/own-key-guard.js';
import { keyLines, parseAuthorizedKeys } from '../../../src/keys/parser.js';

const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F one';
const ED2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVzV7b3uYd0n8m5H4mI9o3l7C8p0QJqf0l1zvQ5bqYQ two';
const accounts = makeAccounts(parsePasswd('root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:100::/home/bob:/bin/bash\n'), parseGroup('root:x:0:\nalice:x:1000:\nusers:x:100:carol\n'), undefined);
const alice = accounts.user('alice')!;
const AK = '/home/alice/.ssh/authorized_keys';

function fsWith(ssh: number, file: number, home = 0o755): ReturnType<typeof memoryFs> {
  const spec: MemoryFsSpec = {
    '/home': { kind: 'dir', mode: 0o755 },
    '/home/alice': { kind: 'dir', mode: home, uid: 1000, gid: 1000 },
    '/home/alice/.ssh': { kind: 'dir', mode: ssh, uid: 1000, gid: 1000 },
    [AK]: { content: `${ED1}\n`, mode: file, uid: 1000, gid: 1000 },
  };
  return memoryFs(spec);
}
const append = (): FileChange => ({ path: AK, hostPath: AK, action: 'write', beforeSha256: sha256(`${ED1}\n`), before: `${ED1}\n`, after: `${ED1}\n${ED2}\n`, edits: [], diff: '', newFileMode: 0o600, reasons: ['t'] });
const planOf = (files: FileChange[]): Plan => keysPlan(undefined, files);

test('StrictModes: an accepted layout passes untouched; Debian accepts group-writable when the group is only the owner', async () => {
  for (const [ssh, file] of [[0o700, 0o600], [0o755, 0o644], [0o775, 0o664]] as const) {
    const r = await strictModesCheck(fsWith(ssh, file), planOf([append()]), alice, accounts, false, true);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.plan.files, [append()]);
    assert.equal(r.plan.steps, undefined);
  }
});

test('StrictModes: other-writable ~/.ssh or file is refused with the exact fix; --fix-modes plans it through the writer', async () => {
  const fs = fsWith(0o777, 0o666);
  const refused = await strictModesCheck(fs, planOf([append()]), alice, accounts, false, true);
  assert.equal(refused.ok, false);
  assert.equal((refused as { reason: string }).reason, `sshd would refuse alice's keys in ${AK} (StrictModes yes): bad ownership or modes for file ${AK} (StrictModes); re-run with --fix-modes to chmod go-w ${AK} (0666 -> 0644), chmod go-w /home/alice/.ssh (0777 -> 0755)`);
  const fixed = await strictModesCheck(fs, planOf([append()]), alice, accounts, true, true);
  assert.ok(fixed.ok);
  assert.equal(fixed.plan.files[0]!.mode, 0o644);
  assert.deepEqual(fixed.plan.steps, [{ kind: 'set-ownership', path: '/home/alice/.ssh', hostPath: '/home/alice/.ssh', mode: 0o755, describe: 'chmod 0755 /home/alice/.ssh (go-w: StrictModes)', stage: 'before-files', before: { uid: 1000, gid: 1000, mode: 0o777 } }]);
  // StrictModes no: nothing judged.
  assert.ok((await strictModesCheck(fs, planOf([append()]), alice, accounts, false, false)).ok);
});

test('StrictModes: with --fix-modes and nothing else to change, the account\'s untouched file is fixed too', async () => {
  const fs = fsWith(0o700, 0o646);
  const same: FileChange = { ...append(), after: `${ED1}\n` };
  const r = await strictModesCheck(fs, planOf([]), alice, accounts, true, true, [same]);
  assert.ok(r.ok);
  assert.deepEqual(r.plan.files.map((f) => [f.path, f.mode, f.after === f.before]), [[AK, 0o644, true]]);
  const clean = await strictModesCheck(fsWith(0o700, 0o600), planOf([]), alice, accounts, true, true, [same]);
  assert.ok(clean.ok);
  assert.deepEqual(clean.plan.files, [], 'nothing to fix: no write');
});

test('StrictModes: a directory owned by someone else is not sshield\'s to fix: named for an admin', async () => {
  const fs = memoryFs({ '/home/alice': { kind: 'dir', mode: 0o777 }, '/home/alice/.ssh': { kind: 'dir', mode: 0o700, uid: 1000, gid: 1000 }, [AK]: { content: `${ED1}\n`, mode: 0o600, uid: 1000, gid: 1000 } });
  const r = await strictModesCheck(fs, planOf([append()]), alice, accounts, true, true);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /bad ownership or modes for directory \/home\/alice \(StrictModes\); sshield fixes only what alice owns \(--fix-modes\): ask an admin/);
});

test('own-key guard: the last key with a shell from the session address is kept unless overridden; from=, command=, expiry count', () => {
  const keys = (t: string) => keyLines(parseAuthorizedKeys(t, 'f'));
  const ctx = { user: 'alice', shell: '/bin/bash', acceptance: {}, addr: '192.0.2.7', now: Date.parse('2026-12-01T00:00:00Z') };
  const before = keys(`${ED1}\n${ED2}\n`);
  assert.equal(ownKeyGuard(before, keys(`${ED1}\n`), ctx, false)!.ok, true);
  const lost = ownKeyGuard(before, keys(`from="10.0.0.0/8" ${ED1}\ncommand="/usr/bin/rsync" ${ED2}\n`), ctx, false)!;
  assert.equal(lost.ok, false);
  assert.equal(lost.overrideFlag, '--force');
  assert.match(lost.message, /^this would leave alice, the account you are, no key that logs in with a shell from 192\.0\.2\.7 \(now: SHA256:\S+ \(line 1\), SHA256:\S+ \(line 2\)\)/);
  assert.equal(ownKeyGuard(before, [], ctx, true)!.overridden, true);
  assert.match(noShellWith(keys(`expiry-time="20200101" ${ED1}\n`)[0]!, ctx) ?? '', /expiry-time="20200101" has passed/);
  assert.equal(noShellWith(keys(`command="/bin/bash" ${ED1}\n`)[0]!, ctx), undefined, 'a forced command that is the shell still gives one');
  assert.equal(noShellWith(keys(`restrict,from="192.0.2.0/24" ${ED1}\n`)[0]!, ctx), undefined);
  // Without a session address from= cannot be judged against it; no key before: nothing to keep.
  assert.equal(noShellWith(keys(`from="10.0.0.0/8" ${ED1}\n`)[0]!, { ...ctx, addr: undefined }), undefined);
  assert.equal(ownKeyGuard(keys(`cert-authority ${ED1}\n`), [], ctx, false), undefined);
});
