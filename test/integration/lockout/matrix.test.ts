// The lockout matrix of issue 13 (docs/lockout-matrix.md is its table): every scenario is a real
// sshd on loopback with its own config (-f) and host key, real throwaway accounts (sshield-t-*,
// removed with their groups and homes in `finally`, whatever the outcome), and a real login of
// every admin with each of its ways in (ssh with a key, sshpass for passwords and
// keyboard-interactive) BEFORE and AFTER one sshield command. The verdict every scenario must
// reach (never weakened per scenario):
//   applied (exit 0) and every admin who could log in before still can, or
//   refused (exit 3) naming its override flag, every watched file byte-identical (sha256), every
//   login exactly as before.
// `expect` narrows it: 'refused' where applying can only lock someone out, 'applied' for the
// positive controls (a guard that refuses everything fails them), 'either' where a smarter plan
// could keep everyone in. Each way may state its premise (`pre`): e.g. sshd refuses this key
// before anything runs, so the scenario really is the one it claims to be.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { run, sshdAvailable, type RunResult } from '../../helpers/sshd.js';
import { Scenario, diffSnapshots, wayLabel, type Account, type Way } from '../../helpers/lockout.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CONCURRENCY = Number(process.env.SSHIELD_MATRIX_CONCURRENCY ?? 4);

type Expect = 'refused' | 'applied' | 'either';
type PreWay = Way & { pre?: boolean };
interface Act {
  /** The sshield command under test (the harness adds --backup-dir). */
  args: string[];
  env?: { SUDO_USER?: string; SSH_CONNECTION?: string };
  /** Extra checks after the verdict (the change's effect, advice followed, ...). */
  check?: (r: RunResult, json: Envelope | undefined) => Promise<void>;
}
interface Envelope {
  outcome?: { kind: string; exitCode: number };
  [k: string]: unknown;
}
interface Def {
  id: string;
  title: string;
  expect: Expect;
  /** The command as the table in docs/lockout-matrix.md shows it (CFG: the daemon's -f config). */
  cmd: string;
  /** Set only while the fix is in flight: why sshield fails the scenario today. */
  todo?: string;
  setup: (s: Scenario) => Promise<Act>;
}

// Scenarios that fail on today's main, with what sshield does instead (kept in sync with BOARD.md).
const TODO: Record<string, string> = {
};

const PW = () => `Pw-${Math.random().toString(36).slice(2, 10)}-9`;
const BASE_PW = 'PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\nSubsystem sftp internal-sftp\n';
const BASE_KEYS = 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\nSubsystem sftp internal-sftp\n';
const cfg = (s: Scenario) => s.daemon!.configPath;
const harden = (s: Scenario, ...more: string[]) => ['harden', '-f', cfg(s), '--profile', 'baseline', '--yes', '--json', ...more];

function ways(a: Account, ...w: PreWay[]): void {
  a.ways.push(...w);
}

/** Admin with a password whose only key sshd refuses (issue 13, case 2). */
async function passwordAdminWithDeadKey(s: Scenario, line: (pub: string) => string, configExtra = '', keyType: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', bits?: number): Promise<{ a: Account; key: string }> {
  const a = await s.account({ admin: true, password: PW() });
  const key = await s.key(keyType, bits);
  s.authorizedKeys(a, [line(s.pub(key))]);
  await s.start(BASE_PW + configExtra);
  ways(a, { kind: 'password', pre: true }, { kind: 'key', key, pre: false });
  return { a, key };
}

const defs: Def[] = [
  // ---- the six cases of the issue ------------------------------------------------------------
  {
    id: 'M01',
    title: '2FA admins (Match Group sudo, AuthenticationMethods publickey,keyboard-interactive), harden from a root shell',
    expect: 'either',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const admins = [await s.account({ admin: true, password: PW() }), await s.account({ admin: true, password: PW() })];
      for (const a of admins) {
        const k = await s.key();
        s.authorizedKeys(a, [s.pub(k)]);
        ways(a, { kind: 'key+kbd', key: k, pre: true }, { kind: 'key', key: k, pre: false });
      }
      await s.start('PasswordAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM yes\nPrintMotd no\nMatch Group sudo\n\tAuthenticationMethods publickey,keyboard-interactive\n');
      return { args: harden(s) };
    },
  },
  {
    id: 'M02',
    title: 'password admin whose only key has expiry-time in the past, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      await passwordAdminWithDeadKey(s, (p) => `expiry-time="20200101" ${p}`);
      return { args: harden(s) };
    },
  },
  {
    id: 'M03',
    title: 'password admin whose only key is a cert-authority line, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      await passwordAdminWithDeadKey(s, (p) => `cert-authority ${p}`);
      return { args: harden(s) };
    },
  },
  {
    id: 'M04',
    title: 'password admin whose only key is listed in RevokedKeys (plain list), harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const key = await s.key();
      s.authorizedKeys(a, [s.pub(key)]);
      writeFileSync(join(s.base, 'revoked'), `${s.pub(key)}\n`, { mode: 0o644 });
      await s.start(`${BASE_PW}RevokedKeys {{BASE}}/revoked\n`);
      ways(a, { kind: 'password', pre: true }, { kind: 'key', key, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M05',
    title: 'password admin whose only key is revoked by a KRL (ssh-keygen -k), harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const key = await s.key();
      s.authorizedKeys(a, [s.pub(key)]);
      const krl = await run('ssh-keygen', ['-k', '-f', join(s.base, 'revoked.krl'), `${key}.pub`]);
      assert.equal(krl.code, 0, krl.stderr);
      await s.start(`${BASE_PW}RevokedKeys {{BASE}}/revoked.krl\n`);
      ways(a, { kind: 'password', pre: true }, { kind: 'key', key, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M06',
    title: 'password admin whose only key is RSA-2048 under RequiredRSASize 4096, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      await passwordAdminWithDeadKey(s, (p) => p, 'RequiredRSASize 4096\n', 'rsa', 2048);
      return { args: harden(s) };
    },
  },
  {
    id: 'M07',
    title: 'password admin whose only key has from="10.0.0.0/8" while they come from 127.0.0.1, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline (SUDO_USER=ADMIN, SSH_CONNECTION from 127.0.0.1)',
    setup: async (s) => {
      const { a } = await passwordAdminWithDeadKey(s, (p) => `from="10.0.0.0/8" ${p}`);
      // The admin address is known (their session): with it unknown the model rightly assumes some admitted address, 10.x.
      return { args: harden(s), env: { SUDO_USER: a.name, SSH_CONNECTION: `127.0.0.1 50022 127.0.0.1 ${s.daemon!.port}` } };
    },
  },
  {
    id: 'M08',
    title: 'user nologin of the last admin with a key after PermitRootLogin no, from a root shell',
    expect: 'refused',
    cmd: 'user nologin ADMIN -f CFG',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(`${BASE_KEYS}PermitRootLogin no\n`);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['user', 'nologin', a.name, '-f', cfg(s), '--yes', '--json'] };
    },
  },
  {
    id: 'M09',
    title: 'the no-key-admin refusal names a command that exists, and following it works (keys add, then harden applies)',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline; then the advised keys add --user ADMIN --key PUB --config CFG; then harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      await s.start(BASE_PW);
      ways(a, { kind: 'password', pre: true });
      const key = await s.key();
      return {
        args: harden(s),
        check: async (r) => {
          const advice = `${r.stdout}\n${r.stderr}`.match(/sshield (keys add\b[^\n"]*)/);
          assert.ok(advice, `the refusal advises a command: ${r.stdout}${r.stderr}`);
          const help = await s.cli(['keys', 'add', '--help'], {}, { backupDir: false });
          assert.equal(help.code, 0, `sshield keys add --help: ${help.stdout}${help.stderr}`);
          const add = await s.cli(['keys', 'add', '--user', a.name, '--key', s.pub(key), '--config', cfg(s), '--yes']);
          assert.equal(add.code, 0, `keys add: ${add.stdout}${add.stderr}`);
          const again = await s.cli(harden(s));
          assert.equal(again.code, 0, `harden after keys add: ${again.stdout}${again.stderr}`);
          assert.ok((await s.login(a, { kind: 'key', key })).ok, 'the added key is the way in');
          assert.equal((await s.login(a, { kind: 'password' })).ok, false, 'passwords are off now');
        },
      };
    },
  },
  {
    id: 'M10',
    title: 'audit with the admin address unknown does not invent one (AllowUsers *@127.0.0.1 *@192.0.2.0/24 *@198.51.100.7)',
    expect: 'either',
    cmd: 'audit -f CFG --json (SUDO_USER=ADMIN, no SSH_CONNECTION)',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS, { isolation: `AllowUsers *@127.0.0.1 *@192.0.2.0/24 *@198.51.100.7` });
      ways(a, { kind: 'key', key: k, pre: true });
      return {
        args: ['audit', '-f', cfg(s), '--profile', 'baseline', '--json'],
        env: { SUDO_USER: a.name },
        check: async (r) => {
          const report = JSON.parse(r.stdout) as { results: { ruleId: string; status: string; message: string; severity: string }[] };
          const rule = report.results.find((x) => x.ruleId === 'sshd/require-allowlist');
          assert.ok(rule, 'sshd/require-allowlist evaluated');
          assert.equal(rule.status, 'pass', `the list is fine: ${rule.message}`);
          for (const x of report.results) assert.doesNotMatch(x.message, /locked out|lock out/i, `${x.ruleId} claims a lockout`);
        },
      };
    },
  },
  {
    id: 'M11',
    title: 'password admin allowed in only by a Match Address block that harden turns off',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      await s.start('PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\nMatch Address 127.0.0.0/8\n\tPasswordAuthentication yes\n');
      ways(a, { kind: 'password', pre: true });
      return { args: harden(s) };
    },
  },
  // ---- the other cases of the Proof ----------------------------------------------------------
  {
    id: 'M12',
    title: 'admin whose only key comes from AuthorizedKeysCommand (and a password), harden',
    expect: 'either',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const key = await s.key();
      const script = join(s.base, 'akc');
      writeFileSync(script, `#!/bin/sh\n[ "$1" = "${a.name}" ] && echo '${s.pub(key)}'\nexit 0\n`, { mode: 0o755 });
      chmodSync(script, 0o755);
      await s.start(`${BASE_PW}AuthorizedKeysFile none\nAuthorizedKeysCommand {{BASE}}/akc %u\nAuthorizedKeysCommandUser nobody\n`);
      ways(a, { kind: 'password', pre: true }, { kind: 'key', key, pre: true });
      return { args: harden(s) };
    },
  },
  {
    id: 'M13',
    title: 'password admin whose only key type (ECDSA) PubkeyAcceptedAlgorithms excludes, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      await passwordAdminWithDeadKey(s, (p) => p, 'PubkeyAcceptedAlgorithms ssh-ed25519\n', 'ecdsa');
      return { args: harden(s) };
    },
  },
  {
    id: 'M14',
    title: 'password admin, and a key admin excluded by DenyGroups, harden from a root shell',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const denied = await s.newGroup();
      const a = await s.account({ admin: true, password: PW() });
      const b = await s.account({ admin: true, groups: [denied] });
      const k = await s.key();
      s.authorizedKeys(b, [s.pub(k)]);
      await s.start(`${BASE_PW}DenyGroups ${denied}\n`);
      ways(a, { kind: 'password', pre: true });
      ways(b, { kind: 'key', key: k, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M15',
    title: 'UsePAM no: a key admin with a locked password (sshd refuses the account) and a password admin, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      assert.equal((await s.exec('usermod', ['-L', a.name])).code, 0);
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      const b = await s.account({ admin: true, password: PW() });
      await s.start('PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM no\nPrintMotd no\n');
      ways(a, { kind: 'key', key: k, pre: false });
      ways(b, { kind: 'password', pre: true });
      return { args: harden(s) };
    },
  },
  {
    id: 'M16',
    title: 'a key admin whose account expired, and a password admin, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      assert.equal((await s.exec('usermod', ['-e', '1', a.name])).code, 0);
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      const b = await s.account({ admin: true, password: PW() });
      await s.start(BASE_PW);
      ways(a, { kind: 'key', key: k, pre: false });
      ways(b, { kind: 'password', pre: true });
      return { args: harden(s) };
    },
  },
  {
    id: 'M17',
    title: 'positive: admin key in a non-default AuthorizedKeysFile (/srv/.../keys/%u), harden applies',
    expect: 'applied',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      mkdirSync(join(s.base, 'keys'), { mode: 0o755 });
      writeFileSync(join(s.base, 'keys', a.name), `${s.pub(k)}\n`, { mode: 0o644 });
      await s.start(`${BASE_PW}AuthorizedKeysFile {{BASE}}/keys/%u\n`);
      ways(a, { kind: 'password', pre: true }, { kind: 'key', key: k, pre: true });
      return {
        args: harden(s),
        check: async () => {
          assert.equal((await s.login(a, { kind: 'password' })).ok, false, 'harden took effect: passwords are off');
        },
      };
    },
  },
  {
    id: 'M18',
    title: 'password admin whose key sits in ~/.ssh/authorized_keys while AuthorizedKeysFile names another file, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      mkdirSync(join(s.base, 'keys'), { mode: 0o755 });
      await s.start(`${BASE_PW}AuthorizedKeysFile {{BASE}}/keys/%u\n`);
      ways(a, { kind: 'password', pre: true }, { kind: 'key', key: k, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M19',
    title: 'Match LocalAddress (every listen address, 127.0.0.2 and 127.0.0.3) turns keys off: password admin with a key, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(`${BASE_PW}Match LocalAddress 127.0.0.2,127.0.0.3\n\tPubkeyAuthentication no\n`, { listen: ['127.0.0.2', '127.0.0.3'] });
      for (const via of ['127.0.0.2', '127.0.0.3']) ways(a, { kind: 'password', via, pre: true }, { kind: 'key', key: k, via, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M20',
    title: 'Match LocalPort (the only port) turns keys off: password admin with a key, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(`${BASE_PW}Match LocalPort {{PORT}}\n\tPubkeyAuthentication no\n`, { listen: ['127.0.0.2'] });
      ways(a, { kind: 'password', via: '127.0.0.2', pre: true }, { kind: 'key', key: k, via: '127.0.0.2', pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M21',
    title: 'positive: Match LocalAddress 127.0.0.3 turns keys off but 127.0.0.2 keeps them, harden applies',
    expect: 'applied',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(`${BASE_PW}Match LocalAddress 127.0.0.3\n\tPubkeyAuthentication no\n`, { listen: ['127.0.0.2', '127.0.0.3'] });
      ways(a, { kind: 'key', key: k, via: '127.0.0.2', pre: true }, { kind: 'key', key: k, via: '127.0.0.3', pre: false }, { kind: 'password', via: '127.0.0.3', pre: true });
      return {
        args: harden(s),
        check: async () => {
          assert.equal((await s.login(a, { kind: 'password', via: '127.0.0.3' })).ok, false, 'harden took effect');
        },
      };
    },
  },
  {
    id: 'M22',
    title: 'allow add of an address list without the admin session address (SSH_CONNECTION from 127.0.0.1)',
    expect: 'refused',
    cmd: 'allow add 127.0.0.2 -f CFG (SSH_CONNECTION from 127.0.0.1)',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['allow', 'add', '127.0.0.2', '-f', cfg(s), '--yes', '--json'], env: { SUDO_USER: a.name, SSH_CONNECTION: `127.0.0.1 50000 127.0.0.1 ${s.daemon!.port}` } };
    },
  },
  {
    id: 'M23',
    title: 'positive: allow add of the admin session address applies; other addresses are refused after',
    expect: 'applied',
    cmd: 'allow add 127.0.0.1 -f CFG (SSH_CONNECTION from 127.0.0.1)',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS);
      ways(a, { kind: 'key', key: k, pre: true });
      return {
        args: ['allow', 'add', '127.0.0.1', '-f', cfg(s), '--yes', '--json'],
        env: { SUDO_USER: a.name, SSH_CONNECTION: `127.0.0.1 50000 127.0.0.1 ${s.daemon!.port}` },
        check: async () => {
          assert.equal((await s.login(a, { kind: 'key', key: k, bind: '127.0.0.2' })).ok, false, 'the allowlist took effect');
        },
      };
    },
  },
  {
    id: 'M24',
    title: 'user sftp (chroot) of the last admin after PermitRootLogin no, from a root shell',
    expect: 'refused',
    cmd: 'user sftp ADMIN --chroot DIR --create -f CFG',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(`${BASE_KEYS}PermitRootLogin no\n`);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['user', 'sftp', a.name, '--chroot', join(s.base, 'chroot'), '--create', '-f', cfg(s), '--yes', '--json'] };
    },
  },
  {
    id: 'M25',
    title: 'positive: user nologin of a non-admin while the admin keeps a key',
    expect: 'applied',
    cmd: 'user nologin USER -f CFG',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const u = await s.account();
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      s.authorizedKeys(u, [s.pub(k)]);
      await s.start(`${BASE_KEYS}PermitRootLogin no\n`);
      ways(a, { kind: 'key', key: k, pre: true });
      return {
        args: ['user', 'nologin', u.name, '-f', cfg(s), '--yes', '--json'],
        check: async () => {
          assert.equal((await s.login(u, { kind: 'key', key: k })).ok, false, 'the user has no shell now');
        },
      };
    },
  },
  {
    id: 'M26',
    title: 'keys restrict --from 10.0.0.0/8 of the admin only key (passwords off)',
    expect: 'refused',
    cmd: 'keys restrict --user ADMIN --all --from 10.0.0.0/8 -f CFG (SUDO_USER=ADMIN, SSH_CONNECTION from 127.0.0.1)',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['keys', 'restrict', '--user', a.name, '--all', '--from', '10.0.0.0/8', '-f', cfg(s), '--yes', '--json'], env: { SUDO_USER: a.name, SSH_CONNECTION: `127.0.0.1 50022 127.0.0.1 ${s.daemon!.port}` } };
    },
  },
  {
    id: 'M27',
    title: 'keys restrict --command /bin/false of the admin only key (passwords off)',
    expect: 'refused',
    cmd: 'keys restrict --user ADMIN --all --command /bin/false -f CFG',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['keys', 'restrict', '--user', a.name, '--all', '--command', '/bin/false', '-f', cfg(s), '--yes', '--json'] };
    },
  },
  {
    id: 'M28',
    title: 'positive: keys restrict --options no-agent-forwarding,no-X11-forwarding of the admin only key applies',
    expect: 'applied',
    cmd: 'keys restrict --user ADMIN --all --options no-agent-forwarding,no-X11-forwarding -f CFG',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['keys', 'restrict', '--user', a.name, '--all', '--options', 'no-agent-forwarding,no-X11-forwarding', '-f', cfg(s), '--yes', '--json'] };
    },
  },
  {
    id: 'M29',
    title: 'keys remove of the admin only key (passwords off)',
    expect: 'refused',
    cmd: 'keys remove --user ADMIN --fingerprint FP -f CFG',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['keys', 'remove', '--user', a.name, '--fingerprint', await s.fingerprint(k), '-f', cfg(s), '--yes', '--json'] };
    },
  },
  {
    id: 'M30',
    title: 'restore of a keys backup that predates the admin key rotation (passwords off)',
    expect: 'refused',
    cmd: 'restore ID (a keys restrict backup taken before the key rotation)',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const old = await s.key();
      s.authorizedKeys(a, [s.pub(old)]);
      await s.start(BASE_KEYS);
      const first = await s.cli(['keys', 'restrict', '--user', a.name, '--all', '--options', 'no-X11-forwarding', '-f', cfg(s), '--yes', '--json']);
      assert.equal(first.code, 0, `setup: keys restrict: ${first.stdout}${first.stderr}`);
      const id = (JSON.parse(first.stdout) as { backup: { id: string } }).backup.id;
      // The admin rotates the key by hand (ssh-copy-id style): the old key is gone.
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['restore', id, '--yes', '--json'] };
    },
  },
  {
    id: 'M31',
    title: 'positive: restore of a harden backup (passwords come back) applies and the admin keeps both ways',
    expect: 'applied',
    cmd: 'restore ID (the backup of a harden run)',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_PW);
      const first = await s.cli(harden(s));
      assert.equal(first.code, 0, `setup: harden: ${first.stdout}${first.stderr}`);
      const id = (JSON.parse(first.stdout) as { backup: { id: string } }).backup.id;
      ways(a, { kind: 'key', key: k, pre: true }, { kind: 'password', pre: false });
      return {
        args: ['restore', id, '--yes', '--json'],
        check: async () => {
          assert.ok((await s.login(a, { kind: 'password' })).ok, 'the restored config takes passwords again');
        },
      };
    },
  },
  {
    id: 'M32',
    title: 'PVE node layout (root only, key in /etc/pve/priv/authorized_keys via the /root/.ssh link), harden baseline',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const { root, key } = await pveLayout(s);
      ways(root, { kind: 'key', key, pre: true });
      return { args: harden(s) };
    },
  },
  {
    id: 'M33',
    title: 'PVE node layout: keys restrict --user root --from 10.0.0.0/8 of the only key',
    expect: 'refused',
    cmd: 'keys restrict --user root --all --from 10.0.0.0/8 -f CFG (root over SSH: SSH_CONNECTION from 127.0.0.1)',
    setup: async (s) => {
      const { root, key } = await pveLayout(s);
      ways(root, { kind: 'key', key, pre: true });
      return { args: ['keys', 'restrict', '--user', 'root', '--all', '--from', '10.0.0.0/8', '-f', cfg(s), '--yes', '--json'], env: { SSH_CONNECTION: `127.0.0.1 50022 127.0.0.1 ${s.daemon!.port}` } };
    },
  },
  {
    id: 'M34',
    title: 'positive: PVE node layout, keys restrict --user root --options no-X11-forwarding applies through the link',
    expect: 'applied',
    cmd: 'keys restrict --user root --all --options no-X11-forwarding -f CFG',
    setup: async (s) => {
      const { root, key, link, target } = await pveLayout(s);
      ways(root, { kind: 'key', key, pre: true });
      return {
        args: ['keys', 'restrict', '--user', 'root', '--all', '--options', 'no-X11-forwarding', '-f', cfg(s), '--yes', '--json'],
        check: async () => {
          assert.ok(lstatSync(link).isSymbolicLink(), 'the /root/.ssh link stays a link');
          assert.match(readFileSync(target, 'utf8'), /^no-X11-forwarding ssh-ed25519 /m);
        },
      };
    },
  },
  {
    id: 'M35',
    title: 'a 2FA admin (Match User) and a key-only admin, harden run by the key-only admin',
    expect: 'either',
    cmd: 'harden -f CFG --profile baseline (SUDO_USER=key-only admin)',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const b = await s.account({ admin: true });
      const ka = await s.key();
      const kb = await s.key();
      s.authorizedKeys(a, [s.pub(ka)]);
      s.authorizedKeys(b, [s.pub(kb)]);
      await s.start(`PasswordAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM yes\nPrintMotd no\nMatch User ${a.name}\n\tAuthenticationMethods publickey,keyboard-interactive\n`);
      ways(a, { kind: 'key+kbd', key: ka, pre: true }, { kind: 'key', key: ka, pre: false });
      ways(b, { kind: 'key', key: kb, pre: true });
      return { args: harden(s), env: { SUDO_USER: b.name } };
    },
  },
  {
    id: 'M36',
    title: 'password admin whose key file is writable by others (StrictModes refuses it), harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)], 0o646);
      await s.start(BASE_PW);
      ways(a, { kind: 'password', pre: true }, { kind: 'key', key: k, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M37',
    title: 'password admin by a sudoers grant (not in group sudo) and a non-admin with a key, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ password: PW() });
      const u = await s.account();
      const k = await s.key();
      s.authorizedKeys(u, [s.pub(k)]);
      const grant = s.own(s.etc(`/etc/sudoers.d/${a.name}`));
      writeFileSync(grant, `${a.name} ALL=(ALL:ALL) ALL\n`, { mode: 0o440 });
      const v = await run('visudo', ['-cf', grant]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      await s.start(BASE_PW);
      ways(a, { kind: 'password', pre: true });
      return { args: harden(s) };
    },
  },
  {
    id: 'M38',
    title: 'positive: admin with a key and a password, harden applies; the key stays the way in',
    expect: 'applied',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_PW);
      ways(a, { kind: 'key', key: k, pre: true }, { kind: 'password', pre: true });
      return {
        args: harden(s),
        check: async () => {
          assert.equal((await s.login(a, { kind: 'password' })).ok, false, 'harden took effect: passwords are off');
        },
      };
    },
  },
  {
    id: 'M39',
    title: 'positive: admin key file group-writable by the user private group (Debian sshd accepts it), harden applies',
    expect: 'applied',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)], 0o664);
      await s.start(BASE_PW);
      ways(a, { kind: 'password', pre: true }, { kind: 'key', key: k, pre: true });
      return {
        args: harden(s),
        check: async () => {
          assert.equal((await s.login(a, { kind: 'password' })).ok, false, 'harden took effect: passwords are off');
        },
      };
    },
  },
  {
    id: 'M40',
    title: 'positive: keys restrict --restrict of the admin only key applies (no TTY or forwarding, commands still run)',
    expect: 'applied',
    cmd: 'keys restrict --user ADMIN --all --restrict -f CFG',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS);
      ways(a, { kind: 'key', key: k, pre: true });
      return {
        args: ['keys', 'restrict', '--user', a.name, '--all', '--restrict', '-f', cfg(s), '--yes', '--json'],
        check: async () => {
          assert.match(readFileSync(join(a.home, '.ssh/authorized_keys'), 'utf8'), /^restrict ssh-ed25519 /m);
        },
      };
    },
  },
  {
    id: 'M41',
    title: 'a key admin whose shell is nologin (no shell) and a password admin, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, shell: '/usr/sbin/nologin' });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      const b = await s.account({ admin: true, password: PW() });
      await s.start(BASE_PW);
      ways(a, { kind: 'key', key: k, pre: false });
      ways(b, { kind: 'password', pre: true });
      return { args: harden(s) };
    },
  },
  {
    id: 'M42',
    title: 'password admin, and a key admin admitted by AllowUsers only from 10.0.0.0/8, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const b = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(b, [s.pub(k)]);
      await s.start(`${BASE_PW}AllowUsers ${a.name} ${b.name}@10.0.0.0/8\n`);
      ways(a, { kind: 'password', pre: true });
      ways(b, { kind: 'key', key: k, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M43',
    title: 'admin with a key and a password under AuthenticationMethods password (the key is never asked), harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(`${BASE_PW}AuthenticationMethods password\n`);
      ways(a, { kind: 'password', pre: true }, { kind: 'key', key: k, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M44',
    title: 'PVE node layout (root only, key via the /root/.ssh link), harden with the proxmox profile',
    expect: 'either',
    cmd: 'harden -f CFG --profile proxmox',
    setup: async (s) => {
      const { root, key } = await pveLayout(s);
      ways(root, { kind: 'key', key, pre: true });
      return { args: ['harden', '-f', cfg(s), '--profile', 'proxmox', '--yes', '--json'] };
    },
  },
  {
    id: 'M45',
    title: 'restore of the keys add backup that predates the admin only key, after harden turned passwords off',
    expect: 'refused',
    cmd: 'restore ID (the backup of keys add --user ADMIN, taken before the key existed; harden ran since)',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      await s.start(BASE_PW);
      const k = await s.key();
      const add = await s.cli(['keys', 'add', '--user', a.name, '--key', s.pub(k), '--config', cfg(s), '--yes', '--json']);
      assert.equal(add.code, 0, `setup: keys add: ${add.stdout}${add.stderr}`);
      const id = (JSON.parse(add.stdout) as { backup: { id: string } }).backup.id;
      const h = await s.cli(harden(s));
      assert.equal(h.code, 0, `setup: harden: ${h.stdout}${h.stderr}`);
      ways(a, { kind: 'key', key: k, pre: true }, { kind: 'password', pre: false });
      return { args: ['restore', id, '--yes', '--json'] };
    },
  },
  {
    id: 'M46',
    title: 'password admin, and a key admin left out by AllowGroups, harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const allowed = await s.newGroup();
      const a = await s.account({ admin: true, password: PW(), groups: [allowed] });
      const b = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(b, [s.pub(k)]);
      await s.start(BASE_PW, { isolation: `AllowGroups ${allowed}` });
      ways(a, { kind: 'password', pre: true });
      ways(b, { kind: 'key', key: k, pre: false });
      return { args: harden(s) };
    },
  },
  {
    id: 'M47',
    title: 'positive: user add of a new SFTP-only account (--nologin) applies; the admin keeps the key',
    expect: 'applied',
    cmd: 'user add NEW --nologin -f CFG',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(`${BASE_KEYS}PermitRootLogin no\n`);
      ways(a, { kind: 'key', key: k, pre: true });
      const name = s.adopt();
      return {
        args: ['user', 'add', name, '--nologin', '-f', cfg(s), '--yes', '--json'],
        check: async () => {
          assert.match(s.ns.lines('passwd').find((l) => l.startsWith(`${name}:`)) ?? '', /:\/usr\/sbin\/nologin$/, 'the account exists with the nologin shell');
        },
      };
    },
  },
  {
    id: 'M48',
    title: 'allow add --user ADMIN of an address list without the admin session address (SSH_CONNECTION from 127.0.0.1)',
    expect: 'refused',
    cmd: 'allow add 127.0.0.2 --user ADMIN -f CFG (SUDO_USER=ADMIN, SSH_CONNECTION from 127.0.0.1)',
    setup: async (s) => {
      const a = await s.account({ admin: true });
      const k = await s.key();
      s.authorizedKeys(a, [s.pub(k)]);
      await s.start(BASE_KEYS);
      ways(a, { kind: 'key', key: k, pre: true });
      return { args: ['allow', 'add', '127.0.0.2', '--user', a.name, '-f', cfg(s), '--yes', '--json'], env: { SUDO_USER: a.name, SSH_CONNECTION: `127.0.0.1 50000 127.0.0.1 ${s.daemon!.port}` } };
    },
  },
  {
    id: 'M49',
    title: 'password admin allowed in only by a Match User block (PasswordAuthentication yes) that harden turns off',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      await s.start(`PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\nMatch User ${a.name}\n\tPasswordAuthentication yes\n`);
      ways(a, { kind: 'password', pre: true });
      return { args: harden(s) };
    },
  },
  {
    id: 'M50',
    title: 'admin whose only way in is keyboard-interactive through PAM (PasswordAuthentication no), harden',
    expect: 'refused',
    cmd: 'harden -f CFG --profile baseline',
    setup: async (s) => {
      const a = await s.account({ admin: true, password: PW() });
      await s.start('PasswordAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM yes\nPrintMotd no\n');
      ways(a, { kind: 'password', pre: true });
      return { args: harden(s) };
    },
  },
];

/** Root's keys as on a PVE node: <base>/etc/pve/priv/authorized_keys, linked from <base>/root/.ssh/authorized_keys, the daemon's AuthorizedKeysFile (the real /root is never touched). */
async function pveLayout(s: Scenario) {
  const priv = join(s.base, 'etc/pve/priv');
  mkdirSync(priv, { recursive: true, mode: 0o700 });
  chmodSync(priv, 0o700);
  const key = await s.key();
  const target = join(priv, 'authorized_keys');
  writeFileSync(target, `${s.pub(key)}\n`, { mode: 0o600 });
  const sshDir = join(s.base, 'root/.ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const link = join(sshDir, 'authorized_keys');
  symlinkSync(target, link);
  const root = s.rootAccount();
  await s.start(`PermitRootLogin yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\nMatch User root\n\tAuthorizedKeysFile ${link}\n`, { isolation: 'AllowUsers root' });
  return { root, key, link, target };
}

/** The parts of a change envelope that say what happened (the whole JSON is too long to read in a failure). */
function summary(j: Envelope): string {
  const plan = j.plan as { guards?: { id: string; ok: boolean; message: string; overridden?: boolean }[]; files?: { path: string }[] } | null | undefined;
  return JSON.stringify({ outcome: j.outcome, files: plan?.files?.map((f) => f.path), guards: plan?.guards, verify: j.verify, messages: j.messages }, null, 1).slice(0, 5000);
}

async function runScenario(def: Def, note: (msg: string) => void): Promise<void> {
  const s = await Scenario.create();
  try {
    const act = await def.setup(s);
    const before = await s.logins();
    for (const a of s.accounts) {
      const b = before.get(a.name)!;
      a.ways.forEach((w, i) => {
        const pre = (w as PreWay).pre;
        if (pre !== undefined) assert.equal(b.worked[i], pre, `premise: ${b.details[i]}\n${s.daemon!.log().slice(-2000)}`);
      });
    }
    const snap = s.snapshot();
    const r = await s.cli(act.args, act.env, { backupDir: act.args[0] !== 'audit' });
    let json: Envelope | undefined;
    try {
      json = JSON.parse(r.stdout) as Envelope;
    } catch {
      json = undefined;
    }
    const out = `exit ${r.code}\n--- stdout\n${json ? summary(json) : r.stdout.slice(0, 4000)}\n--- stderr\n${r.stderr.slice(0, 3000)}`;
    const refusedBy = (json?.plan as { guards?: { ok: boolean; message: string; overrideFlag?: string }[] } | null | undefined)?.guards?.filter((g) => !g.ok).map((g) => `${g.overrideFlag}: ${g.message}`);
    note(`exit ${r.code} ${json?.outcome?.kind ?? ''}${refusedBy?.length ? ` (${refusedBy.join('; ')})` : ''}${r.code !== 0 && !refusedBy?.length ? ` ${r.stderr.trim().split('\n')[0] ?? ''}` : ''}`.slice(0, 600));
    const after = await s.logins();
    const lost: string[] = [];
    for (const a of s.accounts) {
      const b = before.get(a.name)!;
      const n = after.get(a.name)!;
      if (b.worked.some(Boolean) && !n.worked.some(Boolean)) lost.push(`${a.name} lost every way in: ${n.details.join(' | ')}`);
    }
    const changes = diffSnapshots(snap, s.snapshot());
    if (act.args[0] !== 'audit') {
      assert.ok(r.code === 0 || r.code === 3, `sshield ended neither applied nor refused:\n${out}`);
      if (def.expect === 'refused') assert.equal(r.code, 3, `expected a refusal:\n${out}\nlockouts: ${lost.join('\n') || 'none'}`);
      if (def.expect === 'applied') assert.equal(r.code, 0, `expected the change to apply:\n${out}`);
      if (r.code === 3) {
        assert.match(`${r.stdout}${r.stderr}`, /--allow-[a-z-]+/, `a refusal names its override flag:\n${out}`);
        // Where applying can only lock someone out, everyone who could log in is at risk: the
        // refusal names each of them (issue 13, Deliver 3), not just "some admin".
        if (def.expect === 'refused') {
          const said = `${r.stdout}${r.stderr}`.replaceAll('become root', '');
          for (const a of s.accounts) if (before.get(a.name)!.worked.some(Boolean)) assert.match(said, new RegExp(`\\b${a.name}\\b`), `the refusal names ${a.name}, who would be at risk:\n${out}`);
        }
        assert.deepEqual(changes, [], `refused, yet files changed:\n${out}`);
        for (const a of s.accounts) {
          const b = before.get(a.name)!;
          const n = after.get(a.name)!;
          assert.deepEqual(n.worked, b.worked, `refused, yet ${a.name}'s logins changed: ${a.ways.map(wayLabel).join(', ')}\nafter: ${n.details.join(' | ')}`);
        }
      } else {
        assert.equal(json?.outcome?.kind, 'applied', `exit 0 is an applied change:\n${out}`);
        assert.notDeepEqual(changes, [], 'applied, yet no watched file changed');
      }
    }
    assert.deepEqual(lost, [], `LOCKOUT after \`sshield ${act.args.join(' ')}\`:\n${out}\n${s.daemon!.log().slice(-3000)}`);
    await act.check?.(r, json);
  } finally {
    await s.cleanup();
  }
}

const testName = (d: Def) => `${d.id} ${d.title} -> ${d.expect}`;
const DOC = join(fileURLToPath(new URL('../../..', import.meta.url)), 'docs/lockout-matrix.md');
const cell = (t: string) => t.replaceAll('|', '\\|');

/** The table of docs/lockout-matrix.md, rendered from the scenarios themselves. */
function table(): string {
  const rows = defs.map((d) => {
    const todo = d.todo ?? TODO[d.id];
    return `| ${d.id} | ${cell(d.title)} | \`${cell(d.cmd)}\` | ${d.expect} | \`${cell(testName(d))}\` | ${todo ? `fails today: ${cell(todo)}` : 'passes'} |`;
  });
  return ['| # | scenario | command (`sshield …`) | expected | proven by (test name) | status on main |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

test('docs/lockout-matrix.md lists every scenario with its command, expectation, test name and status (UPDATE_GOLDEN=1 rewrites it)', () => {
  const text = readFileSync(DOC, 'utf8');
  const begin = '<!-- matrix:begin -->\n';
  const end = '\n<!-- matrix:end -->';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  assert.ok(i >= 0 && j > i, 'the doc has the matrix markers');
  const want = `${text.slice(0, i + begin.length)}${table()}${text.slice(j)}`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(DOC, want);
  else assert.equal(text, want, 'docs/lockout-matrix.md is out of date: UPDATE_GOLDEN=1 node --import tsx --test test/integration/lockout/matrix.test.ts');
});

describe('lockout matrix (issue 13)', { concurrency: CONCURRENCY }, () => {
  const only = process.env.SSHIELD_MATRIX_ONLY?.split(',');
  for (const def of defs) {
    if (only && !only.includes(def.id)) continue;
    const todo = def.todo ?? TODO[def.id];
    test(testName(def), { skip, timeout: 240_000, ...(todo ? { todo } : {}) }, (t) => runScenario(def, (m) => t.diagnostic(m)));
  }
});

