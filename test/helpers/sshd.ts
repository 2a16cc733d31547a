// Real OpenSSH daemons for integration tests: each instance listens on a free 127.0.0.1 port
// with its own host keys, config and pid file under a temp dir, runs in the foreground (-D),
// and is killed by PID when the test ends. Also: the `sshd -T`/`-t` oracle and throwaway users.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);

export const SSHD = process.env.SSHIELD_TEST_SSHD ?? '/usr/sbin/sshd';

export function sshdAvailable(): boolean {
  return existsSync(SSHD) && process.getuid?.() === 0;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `encoding: 'latin1'` keeps every output byte (one char per byte), for byte-exact comparisons. */
export function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; encoding?: 'utf8' | 'latin1' } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, env: { LC_ALL: 'C', PATH: process.env.PATH, ...opts.env }, encoding: opts.encoding ?? 'utf8' },
      (err, stdout, stderr) => {
        const code = err && typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : err ? null : 0;
        if (err && (err as { code?: unknown }).code === 'ENOENT') return reject(err);
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const cacheDir = join(process.cwd(), '.cache', 'test-hostkeys');

/** Host keys shared by all test daemons of this checkout (generated once, 0600 as sshd demands). */
export async function hostKeys(types: readonly ('ed25519' | 'rsa' | 'ecdsa')[] = ['ed25519']): Promise<string[]> {
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const paths: string[] = [];
  for (const t of types) {
    const p = join(cacheDir, `ssh_host_${t}_key`);
    if (!existsSync(p)) {
      const tmp = `${p}.${process.pid}.${randomBytes(4).toString('hex')}`;
      const args = ['-q', '-N', '', '-t', t, '-f', tmp];
      if (t === 'rsa') args.push('-b', '3072');
      const r = await run('ssh-keygen', args);
      if (r.code !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
      try {
        // rename is atomic: parallel test files may race to create the same key.
        const { renameSync } = await import('node:fs');
        renameSync(`${tmp}.pub`, `${p}.pub`);
        renameSync(tmp, p);
      } catch {
        /* another process won */
      }
    }
    chmodSync(p, 0o600);
    paths.push(p);
  }
  return paths;
}

export function ensurePrivsepDir(): void {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

export interface SshdInstance {
  readonly port: number;
  readonly address: string;
  readonly dir: string;
  readonly configPath: string;
  readonly child: ChildProcess;
  /** stderr of the daemon so far (it runs with -e). */
  log(): string;
  /** Sends SIGHUP (what `systemctl reload ssh` does after `sshd -t`). */
  reload(): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Config text placed after the harness's own Port/ListenAddress/HostKey/PidFile lines. */
  config?: string;
  /** Replace the whole config (the harness still appends nothing); use {{PORT}}, {{DIR}}, {{HOSTKEY}}. */
  rawConfig?: string;
  hostKeyTypes?: readonly ('ed25519' | 'rsa' | 'ecdsa')[];
  listen?: string;
}

export async function startSshd(opts: StartOptions = {}): Promise<SshdInstance> {
  ensurePrivsepDir();
  const keys = await hostKeys(opts.hostKeyTypes ?? ['ed25519']);
  const dir = mkdtempSync(join(tmpdir(), 'sshield-sshd-'));
  const port = await freePort();
  const address = opts.listen ?? '127.0.0.1';
  const configPath = join(dir, 'sshd_config');
  const head = [`Port ${port}`, `ListenAddress ${address}`, ...keys.map((k) => `HostKey ${k}`), `PidFile ${join(dir, 'sshd.pid')}`].join('\n');
  const text = opts.rawConfig
    ? opts.rawConfig.replaceAll('{{PORT}}', String(port)).replaceAll('{{DIR}}', dir).replaceAll('{{HOSTKEY}}', keys[0]!)
    : `${head}\n${opts.config ?? ''}\n`;
  writeFileSync(configPath, text, { mode: 0o600 });
  const check = await run(SSHD, ['-t', '-f', configPath]);
  if (check.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`test sshd config rejected: ${check.stderr}`);
  }
  const child = spawn(SSHD, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  return superviseSshd(child, { port, address, dir, configPath });
}

/**
 * A started `sshd -D -e` child as an SshdInstance: its stderr collected, the port waited for
 * (within timeoutMs, or until the daemon exits), stop() = TERM, then KILL after 2 s, and its
 * directory removed. When it never listens, the daemon is killed and the directory removed.
 */
export async function superviseSshd(child: ChildProcess, where: { port: number; address: string; dir: string; configPath: string }, timeoutMs = 5000): Promise<SshdInstance> {
  const { port, address, dir, configPath } = where;
  let log = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    log += d;
  });
  try {
    await waitForPort(port, address, timeoutMs, () => log, child);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    address,
    dir,
    configPath,
    child,
    log: () => log,
    reload: () => child.kill('SIGHUP'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until something accepts connections on host:port; fails after timeoutMs, or at once when `child` (the daemon) has exited. */
export async function waitForPort(port: number, host: string, timeoutMs: number, log: () => string = () => '', child?: ChildProcess): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline || (child !== undefined && child.exitCode !== null)) throw new Error(`sshd did not listen on ${host}:${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `sshd -T` (optionally `-C spec`) of a config file: the oracle for effective values. */
/** `sshd -T`; stdout and stderr hold the output bytes one char each (latin1), as config values are held. */
export async function sshdT(configPath: string, spec?: string, sshd = SSHD): Promise<RunResult> {
  ensurePrivsepDir();
  const args = ['-T', '-f', configPath];
  if (spec) args.push('-C', spec);
  return run(sshd, args, { encoding: 'latin1' });
}

export const TEST_USER_PREFIX = 'sshield-t-';

export interface TestUser {
  readonly name: string;
  readonly home: string;
  readonly uid: number;
  remove(): Promise<void>;
}

const createdUsers = new Set<string>();
process.once('exit', () => {
  // Last resort: users created by this process are removed whatever the outcome.
  for (const name of createdUsers) {
    try {
      require('node:child_process').execFileSync('userdel', ['-r', '-f', name], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
});

/** Creates a throwaway account (name starts with sshield-t-); remove() deletes it and its home. */
export async function createTestUser(opts: { shell?: string; password?: string } = {}): Promise<TestUser> {
  const name = `${TEST_USER_PREFIX}${randomBytes(3).toString('hex')}`;
  const r = await run('useradd', ['-m', '-s', opts.shell ?? '/bin/bash', name]);
  if (r.code !== 0) throw new Error(`useradd failed: ${r.stderr}`);
  createdUsers.add(name);
  if (opts.password !== undefined) {
    const p = await run('chpasswd', [], { input: `${name}:${opts.password}\n` });
    if (p.code !== 0) throw new Error(`chpasswd failed: ${p.stderr}`);
  } else {
    // An unlocked account without a usable password ("*" would make PAM refuse key logins too on some setups).
    await run('usermod', ['-p', '*', name]);
  }
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))!;
  const [, , uid, , , home] = passwd.split(':');
  return {
    name,
    home: home!,
    uid: Number(uid),
    remove: async () => {
      await run('userdel', ['-r', '-f', name]);
      createdUsers.delete(name);
    },
  };
}

/** Generates a client key pair in dir; returns the private key path. */
export async function clientKey(dir: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', name = `id_${type}`): Promise<string> {
  const p = join(dir, name);
  const args = ['-q', '-N', '', '-t', type, '-f', p, '-C', `${name}@sshield-test`];
  if (type === 'rsa') args.push('-b', '3072');
  const r = await run('ssh-keygen', args);
  if (r.code !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return p;
}

/** Writes authorized_keys for a test user with the modes StrictModes demands. */
export async function installAuthorizedKeys(user: TestUser, content: string): Promise<string> {
  const sshDir = join(user.home, '.ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const file = join(sshDir, 'authorized_keys');
  writeFileSync(file, content, { mode: 0o600 });
  await run('chown', ['-R', `${user.name}:`, sshDir]);
  return file;
}

/** Runs the real OpenSSH client against a test daemon, non-interactively, from a chosen source address. */
export function sshClient(inst: { port: number; address: string }, user: string, opts: { key?: string; bind?: string; args?: string[]; command?: string; timeoutMs?: number; extraOptions?: string[] } = {}): Promise<RunResult> {
  const args = [
    '-F', '/dev/null',
    '-p', String(inst.port),
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=5',
    '-o', 'IdentitiesOnly=yes',
    ...(opts.extraOptions ?? []).flatMap((o) => ['-o', o]),
  ];
  if (opts.key) args.push('-i', opts.key);
  if (opts.bind) args.push('-b', opts.bind);
  args.push(...(opts.args ?? []), `${user}@${inst.address}`);
  if (opts.command) args.push(opts.command);
  return run('ssh', args, { timeoutMs: opts.timeoutMs ?? 15_000 });
}
