// Shared fixtures for the apply unit tests: a small Debian-like config tree on the fake host and
// a plan that changes the main file, adds a drop-in and deletes cloud-init's.
import { FakeHost } from '../../../src/apply/fake-host.js';
import type { FileChange, Plan } from '../../../src/apply/plan.js';
import { sha256 } from '../../../src/apply/plan.js';

export const MAIN = '/etc/ssh/sshd_config' as const;
export const DROPIN = '/etc/ssh/sshd_config.d/00-sshield.conf' as const;
export const CLOUD = '/etc/ssh/sshd_config.d/50-cloud-init.conf' as const;

export const OLD_MAIN = 'Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nX11Forwarding yes\n';
export const NEW_MAIN = 'Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\n# X11Forwarding yes # sshield\n';
export const OLD_CLOUD = 'PasswordAuthentication yes\n';
export const NEW_DROPIN = 'PasswordAuthentication no\nX11Forwarding no\n';

export function fakeHost(): FakeHost {
  const h = new FakeHost();
  h.put(MAIN, OLD_MAIN, { mode: 0o644 });
  h.put(CLOUD, OLD_CLOUD, { mode: 0o600 });
  h.put('/run/sshd.pid', '777\n');
  h.process(777, ['/usr/sbin/sshd', '-D']); // started with the default config, MAIN
  h.mkdirpSync('/var/backups');
  // A scripted sshd: -t refuses a tree containing "Bogus"; -T reports passwordauthentication from the staged drop-in.
  h.onRun = (cmd, args, host) => {
    if (cmd !== '/usr/sbin/sshd') return undefined;
    const f = args[args.indexOf('-f') + 1]!;
    const stage = f.slice(0, f.indexOf('/etc/ssh'));
    if (!stage) return { code: 0, stdout: '', stderr: '' }; // the live file (rollback's check)
    const staged = [...host.files.keys()].filter((p) => p.startsWith(stage + '/')).map((p) => host.text(p) ?? '');
    if (staged.some((t) => t.includes('Bogus'))) return { code: 255, stdout: '', stderr: 'Bogus: Bad configuration option' };
    if (args[0] === '-T') {
      const pw = staged.some((t) => t.startsWith('PasswordAuthentication no')) ? 'no' : 'yes';
      return { code: 0, stdout: `port 22\npasswordauthentication ${pw}\n`, stderr: '' };
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  return h;
}

export function change(path: string, before: string | null, after: string | null, mode = 0o644): FileChange {
  return {
    path,
    hostPath: path,
    action: after === null ? 'delete' : 'write',
    beforeSha256: before === null ? null : sha256(before),
    before: before ?? '',
    after: after ?? '',
    edits: [],
    diff: '',
    newFileMode: mode,
    reasons: ['test'],
  };
}

export function testPlan(overrides: Partial<Plan> = {}, dropin = NEW_DROPIN): Plan {
  return {
    version: 1,
    kind: 'harden',
    configPath: MAIN,
    files: [change(MAIN, OLD_MAIN, NEW_MAIN), change(DROPIN, null, dropin), change(CLOUD, OLD_CLOUD, null, 0o600)],
    tree: [
      { path: MAIN, hostPath: MAIN },
      { path: DROPIN, hostPath: DROPIN },
      { path: CLOUD, hostPath: CLOUD },
    ],
    predicted: [{ key: 'passwordauthentication', values: ['no'], label: 'global' }],
    guards: [],
    remediated: ['sshd/no-password-auth'],
    notes: [],
    reload: { kind: 'pidfile', pidFile: '/run/sshd.pid' },
    verify: { address: '127.0.0.1', port: 22, user: 'sshield-verify', methods: ['publickey'] },
    ...overrides,
  };
}

export const OPTS = { backupRoot: '/var/backups/sshield', sshd: '/usr/sbin/sshd', verifyTimeoutMs: 1000 } as const;

export function snapshot(h: FakeHost): Record<string, string | null> {
  return { [MAIN]: h.text(MAIN) ?? null, [DROPIN]: h.text(DROPIN) ?? null, [CLOUD]: h.text(CLOUD) ?? null };
}

export const OLD_STATE: Record<string, string | null> = { [MAIN]: OLD_MAIN, [DROPIN]: null, [CLOUD]: OLD_CLOUD };
export const NEW_STATE: Record<string, string | null> = { [MAIN]: NEW_MAIN, [DROPIN]: NEW_DROPIN, [CLOUD]: null };

/**
 * Accounts on the fake host: useradd, usermod -s, userdel [-r], groupadd and groupdel (with --prefix)
 * edit /etc/passwd and /etc/group inside the fake, as the real tools do; useradd -m makes the
 * home directory owned by the new account. Each command is one `run` operation, so the fault
 * gate can crash before it (and the journal write after it is the next operation).
 */
export function withAccounts(h: FakeHost): FakeHost {
  const inner = h.onRun;
  h.put('/etc/passwd', h.text('/etc/passwd') ?? 'root:x:0:0:root:/root:/bin/bash\n');
  h.put('/etc/group', h.text('/etc/group') ?? 'root:x:0:\n');
  h.onRun = (cmd, args, host) => {
    if (!['useradd', 'usermod', 'userdel', 'groupadd', 'groupdel'].includes(cmd)) return inner(cmd, args, host);
    const a = [...args];
    let root = '';
    const flags = new Map<string, string>();
    const bools = new Set<string>();
    let name = '';
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      if (x === '--prefix') root = a[++i]!;
      else if (['-s', '-d', '-u', '-g', '-c'].includes(x)) flags.set(x, a[++i]!);
      else if (x.startsWith('-')) bools.add(x);
      else name = x;
    }
    const pw = `${root}/etc/passwd`;
    const gr = `${root}/etc/group`;
    const lines = (p: string) => (host.text(p) ?? '').split('\n').filter(Boolean);
    const find = (p: string, n: string) => lines(p).find((l) => l.split(':')[0] === n);
    const fail = (msg: string) => ({ code: 9, stdout: '', stderr: `${cmd}: ${msg}` });
    if (cmd === 'groupadd') {
      if (find(gr, name)) return fail(`group '${name}' already exists`);
      host.put(gr, `${lines(gr).join('\n')}\n${name}:x:${flags.get('-g')}:\n`);
      return { code: 0, stdout: '', stderr: '' };
    }
    if (cmd === 'groupdel') {
      if (!find(gr, name)) return fail(`group '${name}' does not exist`);
      host.put(gr, `${lines(gr).filter((l) => l.split(':')[0] !== name).join('\n')}\n`);
      return { code: 0, stdout: '', stderr: '' };
    }
    if (cmd === 'useradd') {
      if (find(pw, name)) return fail(`user '${name}' already exists`);
      const used = lines(pw).map((l) => Number(l.split(':')[2]));
      const uid = Number(flags.get('-u') ?? Math.max(999, ...used) + 1);
      const gid = Number(flags.get('-g') ?? uid);
      if (!flags.has('-g')) host.put(gr, `${lines(gr).join('\n')}\n${name}:x:${gid}:\n`);
      const home = flags.get('-d') ?? `/home/${name}`;
      host.put(pw, `${lines(pw).join('\n')}\n${name}:x:${uid}:${gid}:${flags.get('-c') ?? ''}:${home}:${flags.get('-s') ?? '/bin/sh'}\n`);
      if (bools.has('-m') && !host.dirs.has(`${root}${home}`)) {
        host.mkdirpSync(`${root}${home}`);
        host.dirMeta.set(`${root}${home}`, { uid, gid, mode: 0o700 });
        host.put(`${root}${home}/.profile`, '# skel\n', { uid, gid, mode: 0o644 });
      }
      return { code: 0, stdout: '', stderr: '' };
    }
    const line = find(pw, name);
    if (!line) return fail(`user '${name}' does not exist`);
    const f = line.split(':');
    if (cmd === 'usermod') {
      f[6] = flags.get('-s') ?? f[6]!;
      host.put(pw, `${lines(pw).map((l) => (l === line ? f.join(':') : l)).join('\n')}\n`);
      return { code: 0, stdout: '', stderr: '' };
    }
    host.put(pw, `${lines(pw).filter((l) => l !== line).join('\n')}\n`);
    host.put(gr, `${lines(gr).filter((l) => !(l.split(':')[0] === name && l.split(':')[2] === f[3])).join('\n')}\n`);
    if (bools.has('-r')) {
      const home = `${root}${f[5]}`;
      for (const p of [...host.files.keys()]) if (p.startsWith(`${home}/`)) host.files.delete(p);
      for (const d of [...host.dirs]) if (d === home || d.startsWith(`${home}/`)) (host.dirs.delete(d), host.dirMeta.delete(d));
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  return h;
}
