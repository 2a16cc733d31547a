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
