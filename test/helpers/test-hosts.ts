// Test hosts for fleet tests and benches: N "hosts" on this one machine, each a real Debian sshd
// on its own loopback address (127.0.1.N, all on one free port, so a PVE cluster's member list
// can name them by address) running in its own mount namespace (`unshare --mount --propagation
// private`), where the host's directory is bind-mounted over /etc, /root, /home, /srv,
// /var/lib/dpkg, /var/lib/apt, /var/log, /usr/share/doc and /usr/lib/systemd/system (made empty in
// the host directory where it has none), so every file an audit reads comes from that directory and never from this machine. The
// host directory starts as a copy of an example root (examples/) and can be changed by the test;
// `sshield audit --root DIR` of the same directory is then the oracle of a remote audit.
// Programs the audit probes on a live host (sudo installed? the apt candidate) are hidden unless
// the host directory has them (PROBED): under --root they are files of DIR, so the two audits stay
// comparable; a new probe of this machine's files shows up as a difference in the fleet test.
// The daemon's own config lives outside the host directory (root login with the controller's test
// key, no PAM, StrictModes off), so the audited /etc/ssh is the example's, untouched. The client
// side uses its own ssh_config (-F), key and known_hosts in a temp directory, never ~/.ssh.
// Everything is removed by stop(): daemons killed by PID (their namespaces and mounts go with
// them), directories removed. Traffic stays on 127.0.0.0/8.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConnection } from 'node:net';
import { ensurePrivsepDir, freePort, hostKeys, run, SSHD } from './sshd.js';

const REPO = resolve(import.meta.dirname, '..', '..');

export interface TestHostSpec {
  /** Report name, also the ssh_config Host alias (`ssh -F CONFIG NAME`). */
  readonly name: string;
  /** Example root to copy (examples/NAME); default an empty root with passwd/group. */
  readonly example?: string;
  /** Changes to the host directory before the daemon starts (edit configs, add keys...); `addressOf` names any host's address. */
  readonly setup?: (dir: string, ctx: { readonly address: string; readonly port: number; addressOf(name: string): string }) => void;
  /** Extra lines for the daemon's own config (e.g. a ForceCommand for a hostile host). */
  readonly daemon?: string;
  /** No daemon at all: the address refuses connections. */
  readonly unreachable?: boolean;
}

export interface TestHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** The host's root directory (what `audit --root` reads). */
  readonly dir: string;
  readonly child?: ChildProcess;
}

export interface TestFleet {
  readonly hosts: readonly TestHost[];
  readonly port: number;
  /** ssh_config for the controller: User root, the test key, known_hosts, every host's alias. */
  readonly sshConfig: string;
  readonly dir: string;
  /** Daemon stderr so far, per host (for failure messages). */
  log(name: string): string;
  stop(): Promise<void>;
}

const OVERLAID = ['/etc', '/root', '/home', '/srv', '/var/lib/dpkg', '/var/lib/apt', '/var/log', '/usr/share/doc', '/usr/lib/systemd/system'];

/**
 * Programs of this machine the audit probes for (a live fact, not a file of the host directory):
 * hidden unless the host directory has its own. sudo is stat-ed (is it installed?): /dev/null is
 * no regular file; apt-cache is run (the apt candidate): /bin/false answers nothing.
 */
const PROBED: Readonly<Record<string, string>> = { '/usr/bin/sudo': '/dev/null', '/usr/bin/apt-cache': '/bin/false' };

function waitPort(address: string, port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  return new Promise((done) => {
    const attempt = () => {
      const s = createConnection({ host: address, port });
      s.once('connect', () => (s.destroy(), done(true)));
      s.once('error', () => {
        s.destroy();
        if (Date.now() > end) done(false);
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export async function startTestFleet(specs: readonly TestHostSpec[]): Promise<TestFleet> {
  ensurePrivsepDir();
  const [hostKey] = await hostKeys(['ed25519']);
  const dir = mkdtempSync(join(tmpdir(), 'sshield-fleet-'));
  const hosts: TestHost[] = [];
  const logs = new Map<string, () => string>();
  const stop = async () => {
    await Promise.all(
      hosts.map(async (h) => {
        const c = h.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
        started.delete(c);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const key = join(dir, 'id_ed25519');
    const kg = await run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-C', 'sshield-fleet-test', '-f', key]);
    if (kg.code !== 0) throw new Error(`ssh-keygen: ${kg.stderr}`);
    const pub = readFileSync(`${key}.pub`, 'utf8');
    writeFileSync(join(dir, 'controller_keys'), pub, { mode: 0o600 });
    const port = await freePort();
    // A random block of 127.0.1.x so that two runs at once (tests, a bench) rarely meet.
    const base = 2 + Math.floor(Math.random() * (250 - specs.length - 2));
    const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    const known: string[] = [];
    const cfg: string[] = [];
    const addressOf = (name: string): string => {
      const i = specs.findIndex((x) => x.name === name);
      if (i < 0) throw new Error(`no test host ${name}`);
      return `127.0.1.${base + i}`;
    };
    for (const [i, s] of specs.entries()) {
      const address = `127.0.1.${base + i}`;
      const hdir = join(dir, 'hosts', s.name);
      mkdirSync(join(dir, 'hosts'), { recursive: true });
      if (s.example) cpSync(join(REPO, 'examples', s.example), hdir, { recursive: true, verbatimSymlinks: true });
      else {
        mkdirSync(join(hdir, 'etc', 'ssh'), { recursive: true });
        writeFileSync(join(hdir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n');
        writeFileSync(join(hdir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
      }
      s.setup?.(hdir, { address, port, addressOf });
      known.push(`[${address}]:${port} ${hostPub}`);
      cfg.push(`Host ${s.name}`, `  HostName ${address}`, `  Port ${port}`, '');
      const host: TestHost = { name: s.name, address, port, dir: hdir };
      if (s.unreachable) {
        hosts.push(host);
        continue;
      }
      const rdir = join(dir, 'run', s.name);
      mkdirSync(rdir, { recursive: true, mode: 0o700 });
      const dconf = join(rdir, 'sshd_config');
      writeFileSync(
        dconf,
        [`Port ${port}`, `ListenAddress ${address}`, `HostKey ${hostKey}`, `PidFile ${join(rdir, 'sshd.pid')}`, `AuthorizedKeysFile ${join(dir, 'controller_keys')}`,
          'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'UseDNS no',
          'LogLevel ERROR', 'MaxStartups 200:30:400', 'MaxSessions 50', s.daemon ?? '', ''].join('\n'),
        { mode: 0o600 },
      );
      // Each overlaid directory is the host's own (made empty where the example has none, so that
      // --root sees the same), never this machine's and never shared between hosts.
      const mounts = OVERLAID.filter((p) => existsSync(p)).map((p) => {
        let own = [join(hdir, p), ...(p === '/usr/lib/systemd/system' ? [join(hdir, 'lib/systemd/system')] : [])].find((x) => existsSync(x));
        if (!own) mkdirSync((own = join(hdir, p)), { recursive: true, mode: 0o755 });
        return `mount --bind '${own}' '${p}'`;
      });
      const probed = Object.entries(PROBED).map(([p, stand]) => `{ [ ! -e '${p}' ] || mount --bind '${existsSync(join(hdir, p)) ? join(hdir, p) : stand}' '${p}'; }`);
      const script = [...mounts, ...probed, `exec '${SSHD}' -D -e -f '${dconf}'`].join(' && ');
      const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      started.add(child);
      let log = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (d: string) => (log += d));
      logs.set(s.name, () => log);
      hosts.push({ ...host, child });
    }
    writeFileSync(join(dir, 'known_hosts'), `${known.join('\n')}\n`);
    const sshConfig = join(dir, 'ssh_config');
    writeFileSync(
      sshConfig,
      [...cfg, 'Host 127.0.1.*', `  Port ${port}`, '', 'Host *', '  User root', `  IdentityFile ${key}`, '  IdentitiesOnly yes', '  IdentityAgent none', `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes', '  CheckHostIP no', ''].join('\n'),
    );
    for (const h of hosts) {
      if (!h.child) continue;
      if (!(await waitPort(h.address, port, 10_000))) throw new Error(`test host ${h.name} (${h.address}:${port}) did not start: ${logs.get(h.name)?.()}`);
    }
    return { hosts, port, sshConfig, dir, log: (n) => logs.get(n)?.() ?? '', stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Whether this machine can run test hosts: root, sshd, unshare. */
export function testHostsAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (mount namespaces)';
  if (!existsSync(SSHD)) return `no ${SSHD}`;
  if (!existsSync('/usr/bin/unshare')) return 'no unshare (util-linux)';
  return undefined;
}
