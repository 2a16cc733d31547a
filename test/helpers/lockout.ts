// The lockout matrix's harness (issue 13, Proof): one scenario = a real sshd on loopback with its
// own config (-f) and host key, throwaway accounts (sshield-t-*, their groups, homes, sudoers
// grants) created for it and removed in `finally` whatever happens, a real login of every admin
// with each of its ways in (ssh with a key, sshpass for passwords and keyboard-interactive)
// BEFORE and AFTER one sshield command, and the verdict every scenario must reach:
//   - applied (exit 0) and every admin who could log in before still can, or
//   - refused (exit 3) naming its override flag, with every watched file byte-identical (sha256)
//     and every login exactly as before.
// Isolation from the rest of the machine, both ways: the accounts, groups, sudo memberships and
// sudoers grants live in a private copy of /etc, bind-mounted over /etc in a mount namespace of
// this file's own (`unshare --mount`); useradd, the daemons and the sshield CLI run inside it
// (nsenter), the clients connect over loopback from outside. Other test files never see these
// sudo admins (the guards judge every root-capable account of the machine), and these scenarios
// never see theirs. Inside, every daemon admits only its scenario's group (AllowGroups) or, for
// root, AllowUsers root, as scenarios run side by side. /home and /srv are the machine's: homes
// and key files are made and removed by the scenario.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { SSHD, ensurePrivsepDir, freePort, hostKeys, run, superviseSshd, type RunResult, type SshdInstance } from './sshd.js';

export const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

/** A way an account logs in; `via` is the daemon address to connect to, `bind` the source. */
export type Way =
  | { kind: 'key'; key: string; via?: string; bind?: string }
  | { kind: 'password'; via?: string; bind?: string }
  | { kind: 'key+kbd'; key: string; via?: string; bind?: string };

export interface Account {
  readonly name: string;
  readonly home: string;
  readonly uid: number;
  readonly password?: string;
  readonly admin: boolean;
  /** Ways this account is meant to try; `worked` is filled by the BEFORE logins. */
  ways: Way[];
}

const extraFiles = new Set<string>();
const daemons = new Set<SshdInstance>();
let world: PrivateEtc | undefined;
const TEST_PREFIX = 'sshield-t-';
process.once('exit', () => {
  // A scenario cut short (a timeout) still takes its daemon, homes and files with it; the private
  // /etc (its accounts, groups, grants) goes with its namespace.
  // Each step on its own: a removal racing a process still writing (useradd, sshd) must not skip the rest.
  const attempt = (f: () => void) => {
    try {
      f();
    } catch {
      /* next */
    }
  };
  for (const d of daemons) attempt(() => d.child.exitCode === null && d.child.signalCode === null && d.child.kill('SIGKILL'));
  attempt(() => world?.destroy());
  for (const f of extraFiles) attempt(() => rmSync(f, { recursive: true, force: true, maxRetries: 5 }));
});
// A run stopped from outside (timeout(1), Ctrl-C) cleans up too: exiting runs the hook above.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));

/** A copy of /etc mounted over /etc in a private mount namespace held open by a sleeping process. */
class PrivateEtc {
  readonly dir: string;
  readonly etc: string;
  private readonly holder: ChildProcess;
  private constructor(dir: string, holder: ChildProcess) {
    this.dir = dir;
    this.etc = join(dir, 'etc');
    this.holder = holder;
  }

  static async create(): Promise<PrivateEtc> {
    // A run killed from outside (SIGKILL) leaves its copy: remove those whose test process is gone.
    for (const n of readdirSync(tmpdir()).filter((x) => x.startsWith('sshield-t-etc-'))) {
      const d = join(tmpdir(), n);
      let owner = 0;
      try {
        owner = Number(readFileSync(join(d, 'owner'), 'utf8'));
      } catch {
        /* still being made, or made before owners were recorded: judged by age */
      }
      const alive = owner > 0 && (() => {
        try {
          process.kill(owner, 0);
          return true;
        } catch {
          return false;
        }
      })();
      if (!alive && (owner > 0 || Date.now() - lstatSync(d).mtimeMs > 30 * 60_000)) rmSync(d, { recursive: true, force: true });
    }
    const dir = mkdtempSync(join(tmpdir(), 'sshield-t-etc-'));
    extraFiles.add(dir);
    writeFileSync(join(dir, 'owner'), String(process.pid));
    // cp -a keeps owners, modes, links and goes on past a file another test removes meanwhile
    // (a lock file, a sudoers.d temp): only the account databases must have made it.
    try {
      execFileSync('cp', ['-a', '/etc', join(dir, 'etc')], { stdio: 'ignore' });
    } catch {
      /* checked below */
    }
    for (const db of ['passwd', 'shadow', 'group', 'sudoers']) if (!existsSync(join(dir, 'etc', db))) throw new Error(`the private /etc copy lacks ${db}`);
    // Throwaway accounts other test files had made at the moment of the copy are not this world's.
    const etc = join(dir, 'etc');
    for (const db of ['passwd', 'shadow', 'group', 'gshadow']) {
      const f = join(etc, db);
      if (!existsSync(f)) continue;
      const kept = readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith(TEST_PREFIX))
        .map((l) => {
          if (db !== 'group' && db !== 'gshadow') return l;
          const f4 = l.split(':');
          const last = f4.length - 1;
          if (last >= 3) f4[last] = f4[last]!.split(',').filter((m) => m && !m.startsWith(TEST_PREFIX)).join(',');
          return f4.join(':');
        });
      writeFileSync(f, kept.join('\n'));
    }
    for (const n of existsSync(join(etc, 'sudoers.d')) ? readdirSync(join(etc, 'sudoers.d')) : []) if (n.startsWith(TEST_PREFIX)) rmSync(join(etc, 'sudoers.d', n), { force: true });
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind '${join(dir, 'etc')}' /etc && echo ready && exec sleep 100000`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<boolean>((resolve) => {
      let out = '';
      holder.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve(true);
      });
      holder.once('exit', () => resolve(false));
    });
    if (!ready) throw new Error('could not make a private /etc (unshare --mount)');
    // The holder must not keep the test process alive: it is killed at exit.
    holder.unref();
    (holder.stdout as unknown as { unref?: () => void }).unref?.();
    (holder.stderr as unknown as { unref?: () => void }).unref?.();
    return new PrivateEtc(dir, holder);
  }

  /** Runs a program inside the namespace (sees the private /etc). */
  run(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<RunResult> {
    // Entering a mount namespace moves the working directory to its root: keep ours (tsx, src/).
    return run('nsenter', ['-t', String(this.holder.pid), '-m', `--wd=${process.cwd()}`, '--', cmd, ...args], opts);
  }

  spawn(cmd: string, args: string[]): ChildProcess {
    return spawn('nsenter', ['-t', String(this.holder.pid), '-m', `--wd=${process.cwd()}`, '--', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** A line of the private passwd/shadow/group. */
  lines(db: 'passwd' | 'shadow' | 'group'): string[] {
    return readFileSync(join(this.etc, db), 'utf8').split('\n');
  }

  destroy(): void {
    if (this.holder.exitCode === null) this.holder.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

let worldReady: Promise<PrivateEtc> | undefined;
function privateEtc(): Promise<PrivateEtc> {
  worldReady ??= PrivateEtc.create().then((w) => (world = w));
  return worldReady;
}

// Ids far above the machine's own range, so a file owned by a scenario account is nobody's outside.
const IDS = ['-K', 'UID_MIN=61000', '-K', 'UID_MAX=64999', '-K', 'GID_MIN=61000', '-K', 'GID_MAX=64999'];

function hex(n = 3): string {
  return randomBytes(n).toString('hex');
}

export function wayLabel(w: Way): string {
  const where = `${w.bind ?? '127.0.0.1'}->${w.via ?? 'daemon'}`;
  return w.kind === 'password' ? `password ${where}` : `${w.kind} ${w.key.split('/').pop()} ${where}`;
}

/** Everything one scenario made; `cleanup` removes it all (called from the scenario's finally). */
export class Scenario {
  readonly base: string; // root-owned 0755, not under sticky /tmp (StrictModes checks every parent)
  readonly clientDir: string; // private keys
  readonly backups: string;
  readonly group: string;
  readonly accounts: Account[] = [];
  daemon?: SshdInstance;
  readonly ns: PrivateEtc;
  private users: string[] = [];
  private groups: string[] = [];
  private files: string[] = [];

  private constructor(ns: PrivateEtc, base: string, clientDir: string, group: string) {
    this.ns = ns;
    this.base = base;
    this.clientDir = clientDir;
    this.backups = join(base, 'backups');
    this.group = group;
  }

  static async create(): Promise<Scenario> {
    mkdirSync('/srv', { recursive: true, mode: 0o755 });
    const base = `/srv/sshield-t-m${hex(4)}`;
    mkdirSync(base, { mode: 0o755 });
    chmodSync(base, 0o755);
    extraFiles.add(base);
    const clientDir = mkdtempSync(join(tmpdir(), 'sshield-t-client-'));
    extraFiles.add(clientDir);
    const s = new Scenario(await privateEtc(), base, clientDir, `sshield-t-g${hex()}`);
    await s.newGroup(s.group);
    return s;
  }

  /** A program run inside the private /etc (useradd, usermod, ...). */
  exec(cmd: string, args: string[], input?: string): Promise<RunResult> {
    return this.ns.run(cmd, args, input === undefined ? {} : { input });
  }

  async newGroup(name = `sshield-t-g${hex()}`): Promise<string> {
    const r = await this.exec('groupadd', ['-K', 'GID_MIN=61000', '-K', 'GID_MAX=64999', name]);
    if (r.code !== 0) throw new Error(`groupadd ${name}: ${r.stderr}`);
    this.groups.push(name);
    return name;
  }

  /** An account in the scenario's group; `admin` puts it in sudo (sudo is installed: an admin as the product defines it). */
  async account(opts: { admin?: boolean; password?: string; groups?: string[]; shell?: string } = {}): Promise<Account> {
    const name = `sshield-t-${hex()}`;
    const groups = [this.group, ...(opts.admin ? ['sudo'] : []), ...(opts.groups ?? [])];
    const home = `/home/${name}`;
    extraFiles.add(home);
    const r = await this.exec('useradd', [...IDS, '-m', '-s', opts.shell ?? '/bin/bash', '-G', groups.join(','), name]);
    if (r.code !== 0) throw new Error(`useradd ${name}: ${r.stderr}`);
    this.users.push(name);
    const p = opts.password !== undefined ? await this.exec('chpasswd', [], `${name}:${opts.password}\n`) : await this.exec('usermod', ['-p', '*', name]);
    if (p.code !== 0) throw new Error(`password of ${name}: ${p.stderr}`);
    const [, , uid, , , dir] = this.ns.lines('passwd').find((l) => l.startsWith(`${name}:`))!.split(':');
    const a: Account = { name, home: dir!, uid: Number(uid), password: opts.password, admin: opts.admin ?? false, ways: [] };
    this.accounts.push(a);
    return a;
  }

  /** A name for an account the command under test creates: removed (with its home) like the others. */
  adopt(): string {
    const name = `sshield-t-${hex()}`;
    this.users.push(name);
    extraFiles.add(`/home/${name}`);
    return name;
  }

  /** The real root account as a scenario member (PVE layout): only its key file is the scenario's. */
  rootAccount(): Account {
    const a: Account = { name: 'root', home: '/root', uid: 0, admin: true, ways: [] };
    this.accounts.push(a);
    return a;
  }

  /** Where a path of the private /etc is seen from here (e.g. /etc/sudoers.d/x for writing a grant). */
  etc(path: string): string {
    return join(this.ns.etc, path.replace(/^\/etc\//, ''));
  }

  /** A file this scenario owns outside base (e.g. its sudoers grant), removed at cleanup. */
  own(path: string): string {
    extraFiles.add(path);
    this.files.push(path);
    return path;
  }

  async key(type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519', bits?: number): Promise<string> {
    const p = join(this.clientDir, `id_${type}_${hex()}`);
    const args = ['-q', '-N', '', '-t', type, '-f', p, '-C', `matrix@sshield-test`];
    if (type === 'rsa') args.push('-b', String(bits ?? 3072));
    const r = await run('ssh-keygen', args);
    if (r.code !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
    return p;
  }

  pub(key: string): string {
    return readFileSync(`${key}.pub`, 'utf8').trim();
  }

  async fingerprint(key: string): Promise<string> {
    return (await run('ssh-keygen', ['-lf', `${key}.pub`])).stdout.split(' ')[1]!;
  }

  /** ~/.ssh/authorized_keys of the account, owned by it, 0600 in 0700. */
  authorizedKeys(a: Account, lines: string[], mode = 0o600): string {
    const dir = join(a.home, '.ssh');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'authorized_keys');
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''), { mode });
    chmodSync(file, mode);
    const gid = a.uid === 0 ? 0 : Number(this.ns.lines('passwd').find((l) => l.startsWith(`${a.name}:`))!.split(':')[3]);
    chownSync(dir, a.uid, gid);
    chownSync(file, a.uid, gid);
    return file;
  }

  /**
   * Starts the scenario's daemon. `body` follows the harness's head (Port, ListenAddress, HostKey,
   * PidFile, then the isolation line unless `isolation` replaces it); {{PORT}}, {{DIR}} and
   * {{BASE}} are replaced.
   */
  async start(body: string, opts: { listen?: string[]; isolation?: string } = {}): Promise<SshdInstance> {
    const listen = opts.listen ?? ['127.0.0.1'];
    const head = ['Port {{PORT}}', ...listen.map((l) => `ListenAddress ${l}`), 'HostKey {{HOSTKEY}}', 'PidFile {{DIR}}/sshd.pid', opts.isolation ?? `AllowGroups ${this.group}`];
    const text = `${head.join('\n')}\n${body.replaceAll('{{BASE}}', this.base).trim()}\n`;
    this.daemon = await startIn(this.ns, text, listen[0]!);
    daemons.add(this.daemon);
    return this.daemon;
  }

  /** The sshield CLI as a child process: root, a chosen SUDO_USER / SSH_CONNECTION, nothing inherited. */
  cli(args: string[], env: { SUDO_USER?: string; SSH_CONNECTION?: string } = {}, opts: { backupDir?: boolean } = {}): Promise<RunResult> {
    const bk = opts.backupDir === false ? [] : ['--backup-dir', this.backups];
    const e: NodeJS.ProcessEnv = { HOME: '/root', USER: 'root', LOGNAME: 'root', NO_COLOR: '1' };
    if (env.SUDO_USER) e.SUDO_USER = env.SUDO_USER;
    if (env.SSH_CONNECTION) e.SSH_CONNECTION = env.SSH_CONNECTION;
    return this.ns.run(process.execPath, [...CLI, ...args, ...bk], { env: e, timeoutMs: 150_000 });
  }

  /** Tries one way in; true only when a shell ran `id -un` as the account. */
  async login(a: Account, w: Way): Promise<{ ok: boolean; detail: string }> {
    // A login that never reached authentication (the machine too busy to connect in time) says
    // nothing about access: it is tried once more. A refusal is never retried.
    const first = await this.loginOnce(a, w);
    if (first.ok || !first.transport) return first;
    const again = await this.loginOnce(a, w);
    return { ok: again.ok, detail: `${again.detail} (second try; first: ${first.detail})`.slice(0, 600) };
  }

  private async loginOnce(a: Account, w: Way): Promise<{ ok: boolean; detail: string; transport: boolean }> {
    const d = this.daemon!;
    const host = w.via ?? d.address;
    const common = ['-F', '/dev/null', '-p', String(d.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=20', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-b', w.bind ?? '127.0.0.1'];
    let r: RunResult;
    if (w.kind === 'key') {
      r = await run('ssh', [...common, '-o', 'BatchMode=yes', '-o', 'PreferredAuthentications=publickey', '-i', w.key, `${a.name}@${host}`, 'id -un'], { timeoutMs: 45_000 });
    } else {
      if (!a.password) throw new Error(`${a.name} has no password`);
      const methods = w.kind === 'password' ? ['-o', 'PreferredAuthentications=password,keyboard-interactive', '-o', 'PubkeyAuthentication=no'] : ['-o', 'PreferredAuthentications=publickey,keyboard-interactive', '-i', w.key];
      r = await run('sshpass', ['-e', 'ssh', ...common, '-o', 'BatchMode=no', '-o', 'NumberOfPasswordPrompts=1', ...methods, `${a.name}@${host}`, 'id -un'], { env: { SSHPASS: a.password }, timeoutMs: 45_000 });
    }
    const ok = r.code === 0 && r.stdout.trim() === a.name;
    const transport = r.code === null || /timed out|Connection refused|Connection reset|kex_exchange_identification|Connection closed by [0-9.]+ port \d+\s*$/.test(r.stderr.trim());
    return { ok, transport, detail: `${a.name} ${wayLabel(w)}: exit ${r.code} ${r.stdout.trim()} ${r.stderr.trim()}`.slice(0, 400) };
  }

  /** Every (admin, way) pair tried; the result per account: which ways worked. */
  async logins(): Promise<Map<string, { worked: boolean[]; details: string[] }>> {
    const out = new Map<string, { worked: boolean[]; details: string[] }>();
    await Promise.all(
      this.accounts.map(async (a) => {
        const res = await Promise.all(a.ways.map((w) => this.login(a, w)));
        out.set(a.name, { worked: res.map((r) => r.ok), details: res.map((r) => r.detail) });
      }),
    );
    return out;
  }

  /** sha256 of every file that decides who gets in: the daemon's dir, base (not backups), each home's .ssh, owned files, the accounts' passwd/shadow/group lines. */
  snapshot(extra: string[] = []): Map<string, string> {
    const m = new Map<string, string>();
    const walk = (p: string) => {
      if (!existsSync(p) && !isLink(p)) return;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) m.set(p, `link:${readlinkSync(p)}:${st.uid}`);
      else if (st.isDirectory()) {
        m.set(p, `dir:${st.mode.toString(8)}:${st.uid}:${st.gid}`);
        for (const n of readdirSync(p).sort()) if (join(p, n) !== this.backups) walk(join(p, n));
      } else m.set(p, `${createHash('sha256').update(readFileSync(p)).digest('hex')}:${st.mode.toString(8)}:${st.uid}:${st.gid}`);
    };
    if (this.daemon) walk(this.daemon.dir);
    walk(this.base);
    for (const a of this.accounts) if (a.uid !== 0) walk(join(a.home, '.ssh'));
    for (const f of [...this.files, ...extra]) walk(f);
    const names = new Set(this.accounts.filter((a) => a.uid !== 0).map((a) => a.name));
    for (const db of ['passwd', 'shadow', 'group'] as const) {
      for (const line of this.ns.lines(db)) {
        const f = line.split(':');
        const n = f[0]!;
        if (db !== 'group') {
          if (names.has(n)) m.set(`${db}:${n}`, line);
          continue;
        }
        const members = (f[3] ?? '').split(',').filter((x) => names.has(x)).sort();
        if (this.groups.includes(n) || members.length) m.set(`${db}:${n}`, members.join(','));
      }
    }
    return m;
  }

  async cleanup(): Promise<void> {
    await this.daemon?.stop().catch(() => undefined);
    if (this.daemon) daemons.delete(this.daemon);
    for (const u of this.users) {
      await this.exec('userdel', ['-r', '-f', u]).catch(() => undefined);
      rmSync(`/home/${u}`, { recursive: true, force: true });
      extraFiles.delete(`/home/${u}`);
    }
    for (const g of this.groups) await this.exec('groupdel', ['-f', g]).catch(() => undefined);
    for (const f of [...this.files, this.base, this.clientDir]) {
      rmSync(f, { recursive: true, force: true });
      extraFiles.delete(f);
    }
  }
}

/** A real sshd inside the private /etc (as test/helpers/sshd.ts startSshd, which runs outside it). */
async function startIn(ns: PrivateEtc, rawConfig: string, address: string): Promise<SshdInstance> {
  ensurePrivsepDir();
  const [key] = await hostKeys(['ed25519']);
  const dir = mkdtempSync(join(tmpdir(), 'sshield-sshd-'));
  const port = await freePort();
  const configPath = join(dir, 'sshd_config');
  writeFileSync(configPath, rawConfig.replaceAll('{{PORT}}', String(port)).replaceAll('{{DIR}}', dir).replaceAll('{{HOSTKEY}}', key!), { mode: 0o600 });
  const check = await ns.run(SSHD, ['-t', '-f', configPath]);
  if (check.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`test sshd config rejected: ${check.stderr}`);
  }
  const child = ns.spawn(SSHD, ['-D', '-e', '-f', configPath]);
  return superviseSshd(child, { port, address, dir, configPath }, 15_000);
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The differences between two snapshots, for an assertion message. */
export function diffSnapshots(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: ${v} -> ${b.get(k) ?? '(gone)'}`);
  for (const [k, v] of b) if (!a.has(k)) out.push(`${k}: (new) ${v}`);
  return out;
}
