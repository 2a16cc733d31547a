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
// /run, /var/lib (so /var/lib/sshield: the copied executable's cache) and /var/backups are the
// host's own too (made empty in the host directory), so a PidFile, a lock, the journal, backups
// and this machine's /run/systemd/system are never shared; `binds` adds more (a shared /etc/pve
// for the nodes of one PVE cluster), mounted after those.
// `ownDaemon`: the host's sshd runs the HOST'S OWN config instead (`sshd -D -e -f
// /etc/ssh/sshd_config` in the namespace), so what sshield changes there takes effect through
// sshield's own reload (SIGHUP to the PidFile, /run/sshd.pid: no systemd in the namespace). What
// such a daemon needs is added to the host directory when the example lacks it: a host key
// (this checkout's test key copied as etc/ssh/ssh_host_ed25519_key when etc/ssh has no private
// key), the controller's key in root/.ssh/authorized_keys (0600 in a 0700 directory; through an
// absolute symlink such as PVE's /etc/pve/priv/authorized_keys, into the host's or the bind's
// file), an empty etc/security/limits.conf (pam_limits in the examples' pam.d/sshd fails the
// login without one), and its loopback address as a drop-in, etc/ssh/sshd_config.d/00-test-host.conf with
// `ListenAddress 127.0.1.N:PORT` (an address with a port: any Port line is ignored for it). A
// drop-in rather than `-o` on the command line: the host's own `sshd -T`, the audit and the
// verify probe after a reload all see the address the daemon really listens on; the audit of the
// host directory (--root) sees the same file, so the two audits stay comparable. The example's
// config must Include sshd_config.d and set no ListenAddress of its own (checked: a test host
// never listens beyond loopback); root logs in with the controller's key only where its config
// lets root log in with a key. `exec(name, argv)` runs a program inside a host's namespace
// (nsenter on the daemon's pid) for a test's assertions.
// Everything is removed by stop(): every process left in a host's namespace (a confirm watcher)
// and the daemons killed by PID (their namespaces and mounts go with them), directories removed.
// Traffic stays on 127.0.0.0/8.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { createConnection } from 'node:net';
import { ensurePrivsepDir, freePort, hostKeys, run, SSHD, type RunResult } from './sshd.js';

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
  /** The daemon runs the host's own /etc/ssh/sshd_config (see the top of this file). */
  readonly ownDaemon?: boolean;
  /** Extra bind mounts after the overlays: namespace path -> directory on this machine. */
  readonly binds?: Readonly<Record<string, string>>;
  /**
   * An account of the host (in its etc/passwd, with a home) that the controller may log in as with
   * its key and that runs anything as root through `sudo -n` without a password (a cloud image's
   * admin): the key is added to its ~/.ssh/authorized_keys, NOPASSWD in etc/sudoers.d, and this
   * machine's sudo copied into the host (etc/sudoers, pam.d/sudo made when missing).
   */
  readonly sudoAdmin?: string;
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
  /** Runs a program inside the host's mount namespace (nsenter on its daemon), as root. */
  exec(name: string, argv: readonly string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  stop(): Promise<void>;
}

const OVERLAID = ['/etc', '/root', '/home', '/srv', '/run', '/var/lib', '/var/lib/dpkg', '/var/lib/apt', '/var/log', '/var/backups', '/usr/share/doc', '/usr/lib/systemd/system'];

/** The drop-in that makes an ownDaemon host listen on its own loopback address. */
export const TEST_HOST_DROPIN = 'etc/ssh/sshd_config.d/00-test-host.conf';

/** The pids whose mount namespace is `ns` (readlink of /proc/PID/ns/mnt), this machine's view. */
function pidsInNamespace(ns: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/ns/mnt`) === ns) out.push(Number(d));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

/**
 * What an ownDaemon host needs in its directory (see the top of this file). `binds` resolve an
 * absolute authorized_keys symlink that points into a bound directory.
 */
function prepareOwnDaemon(hdir: string, name: string, address: string, port: number, hostKey: string, controllerPub: string, binds: Readonly<Record<string, string>>): void {
  const ssh = join(hdir, 'etc/ssh');
  const main = join(ssh, 'sshd_config');
  if (!existsSync(main)) throw new Error(`test host ${name}: ownDaemon needs etc/ssh/sshd_config`);
  const mainText = readFileSync(main, 'latin1');
  if (!/^\s*Include\s+\/etc\/ssh\/sshd_config\.d\/\*\.conf\s*$/im.test(mainText)) throw new Error(`test host ${name}: ownDaemon needs "Include /etc/ssh/sshd_config.d/*.conf" in etc/ssh/sshd_config (the loopback address is a drop-in)`);
  mkdirSync(join(ssh, 'sshd_config.d'), { recursive: true });
  const drops = readdirSync(join(ssh, 'sshd_config.d')).filter((f) => f.endsWith('.conf')).map((f) => join(ssh, 'sshd_config.d', f));
  for (const f of [main, ...drops]) {
    if (existsSync(f) && /^\s*ListenAddress\b/im.test(readFileSync(f, 'latin1'))) throw new Error(`test host ${name}: ${f} sets ListenAddress; an ownDaemon test host listens only on its loopback address`);
  }
  writeFileSync(join(hdir, TEST_HOST_DROPIN), `# test host ${name}: listen on loopback only (test/helpers/test-hosts.ts)\nListenAddress ${address}:${port}\n`);
  if (!readdirSync(ssh).some((f) => /^ssh_host_\w+_key$/.test(f))) {
    copyFileSync(hostKey, join(ssh, 'ssh_host_ed25519_key'));
    chmodSync(join(ssh, 'ssh_host_ed25519_key'), 0o600);
    copyFileSync(`${hostKey}.pub`, join(ssh, 'ssh_host_ed25519_key.pub'));
  }
  // The examples' pam.d/sshd (UsePAM yes) ends in `session required pam_limits.so`, which fails
  // the login without a limits.conf: an empty one.
  if (!existsSync(join(hdir, 'etc/security/limits.conf'))) {
    mkdirSync(join(hdir, 'etc/security'), { recursive: true });
    writeFileSync(join(hdir, 'etc/security/limits.conf'), '');
  }
  // root's authorized_keys, or the file its absolute symlink names (PVE: /etc/pve/priv/...).
  const dotSsh = join(hdir, 'root/.ssh');
  if (!existsSync(dotSsh)) mkdirSync(dotSsh, { recursive: true, mode: 0o700 });
  let keys = join(dotSsh, 'authorized_keys');
  let st = existsSync(keys) || isLink(keys) ? lstatSync(keys) : undefined;
  if (st?.isSymbolicLink()) {
    const to = readlinkSync(keys);
    if (!isAbsolute(to)) throw new Error(`test host ${name}: root/.ssh/authorized_keys is a relative symlink`);
    const bind = Object.entries(binds).find(([at]) => to === at || to.startsWith(`${at}/`));
    keys = bind ? join(bind[1], to.slice(bind[0].length)) : join(hdir, to);
    mkdirSync(resolve(keys, '..'), { recursive: true, mode: 0o700 });
    st = existsSync(keys) ? lstatSync(keys) : undefined;
  }
  const line = controllerPub.trim();
  if (!st) writeFileSync(keys, `${line}\n`, { mode: 0o600 });
  else {
    const text = readFileSync(keys, 'latin1');
    if (!text.split('\n').includes(line)) appendFileSync(keys, `${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
  }
}

/** What `sudo -n` needs inside the host for `user` (see TestHostSpec.sudoAdmin). */
function prepareSudoAdmin(hdir: string, name: string, user: string, controllerPub: string): void {
  const pw = readFileSync(join(hdir, 'etc/passwd'), 'latin1').split('\n').find((l) => l.split(':')[0] === user);
  if (!pw) throw new Error(`test host ${name}: sudoAdmin ${user} is not in etc/passwd`);
  const home = join(hdir, pw.split(':')[5]!);
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const keys = join(home, '.ssh/authorized_keys');
  const old = existsSync(keys) ? readFileSync(keys, 'latin1') : '';
  writeFileSync(keys, `${old}${old === '' || old.endsWith('\n') ? '' : '\n'}${controllerPub.trim()}\n`, { mode: 0o600 });
  mkdirSync(join(hdir, 'usr/bin'), { recursive: true });
  copyFileSync('/usr/bin/sudo', join(hdir, 'usr/bin/sudo'));
  chmodSync(join(hdir, 'usr/bin/sudo'), 0o4755);
  mkdirSync(join(hdir, 'etc/sudoers.d'), { recursive: true, mode: 0o755 });
  if (!existsSync(join(hdir, 'etc/sudoers'))) writeFileSync(join(hdir, 'etc/sudoers'), 'Defaults env_reset\nDefaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n', { mode: 0o440 });
  writeFileSync(join(hdir, 'etc/sudoers.d/90-test-admin'), `${user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  mkdirSync(join(hdir, 'etc/pam.d'), { recursive: true });
  if (!existsSync(join(hdir, 'etc/pam.d/sudo'))) writeFileSync(join(hdir, 'etc/pam.d/sudo'), 'auth sufficient pam_rootok.so\n@include common-auth\n@include common-account\nsession required pam_permit.so\n');
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The public keys of every private host key in the host's etc/ssh, as known_hosts key fields. */
function ownHostKeys(hdir: string): string[] {
  const ssh = join(hdir, 'etc/ssh');
  return readdirSync(ssh)
    .filter((f) => /^ssh_host_\w+_key$/.test(f))
    .map((f) => execFileSync('ssh-keygen', ['-y', '-f', join(ssh, f)], { encoding: 'utf8' }).trim().split(/\s+/).slice(0, 2).join(' '));
}

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
    // Whatever a test left running in a host (a confirm watcher outlives the session that started
    // it) goes first, found by the daemon's mount namespace; then the daemons.
    for (const h of hosts) {
      const pid = h.child?.pid;
      if (pid === undefined || h.child!.exitCode !== null || h.child!.signalCode !== null) continue;
      let ns: string;
      try {
        ns = readlinkSync(`/proc/${pid}/ns/mnt`);
      } catch {
        continue;
      }
      if (ns === readlinkSync('/proc/self/ns/mnt')) continue;
      for (const p of pidsInNamespace(ns)) if (p !== pid) try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
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
    const pubLine = pub;
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
      if (s.ownDaemon && !s.unreachable) prepareOwnDaemon(hdir, s.name, address, port, hostKey!, pubLine, s.binds ?? {});
      if (s.sudoAdmin) prepareSudoAdmin(hdir, s.name, s.sudoAdmin, pubLine);
      for (const k of s.ownDaemon && !s.unreachable ? ownHostKeys(hdir) : [hostPub]) known.push(`[${address}]:${port} ${k}`);
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
      // The privilege separation directory of the host's own /run.
      mkdirSync(join(hdir, 'run/sshd'), { recursive: true, mode: 0o755 });
      const binds = Object.entries(s.binds ?? {}).map(([at, from]) => {
        if (!existsSync(join(hdir, at))) mkdirSync(join(hdir, at), { recursive: true, mode: 0o755 });
        return `mount --bind '${from}' '${at}'`;
      });
      const probed = Object.entries(PROBED).map(([p, stand]) => `{ [ ! -e '${p}' ] || mount --bind '${existsSync(join(hdir, p)) ? join(hdir, p) : stand}' '${p}'; }`);
      const daemon = s.ownDaemon ? `exec '${SSHD}' -D -e -f /etc/ssh/sshd_config` : `exec '${SSHD}' -D -e -f '${dconf}'`;
      const script = [...mounts, ...binds, ...probed, daemon].join(' && ');
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
    const exec = async (name: string, argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> => {
      const h = hosts.find((x) => x.name === name);
      if (!h?.child?.pid) throw new Error(`no running test host ${name}`);
      return run('nsenter', ['-t', String(h.child.pid), '-m', '--', ...argv], { ...(opts.input !== undefined ? { input: opts.input } : {}), timeoutMs: opts.timeoutMs ?? 60_000 });
    };
    return { hosts, port, sshConfig, dir, log: (n) => logs.get(n)?.() ?? '', exec, stop };
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
