// Whether a pid is the sshd that serves a given config, before anyone signals it: a PidFile can be
// stale (the daemon died and the pid was reused by any program), and SIGHUP kills most programs.
// The pid must run an sshd executable (/proc/PID/exe), and either its command line names this
// config (sshd's -f, last one wins as in getopt; /etc/ssh/sshd_config without -f; a relative path
// against /proc/PID/cwd) or it holds the listening socket of the config's port
// (/proc/net/tcp{,6} LISTEN entries matched against the socket inodes in /proc/PID/fd). Reads
// only, through the host's file view; decides nothing else.
import { resolve } from 'node:path';
import type { ReadOnlyFs } from '../host/fs.js';
import { bytesToText } from '../text/bytes.js';

export interface DaemonExpectation {
  /** The config the daemon must have been started with (as the plan names it on this machine). */
  readonly configPath: string;
  /** The port it must be listening on, when known (the verify probe's). */
  readonly port?: number;
}

export type DaemonIdentity = { readonly ok: true; readonly how: string } | { readonly ok: false; readonly why: string };

const DEFAULT_CONFIG = '/etc/ssh/sshd_config';
/** sshd's getopt options that take an argument (sshd.c main, OpenSSH 9.2p1/10.0p1: "C:E:b:c:f:g:h:k:o:p:u:"). */
const TAKES_ARG = new Set(['C', 'E', 'b', 'c', 'f', 'g', 'h', 'k', 'o', 'p', 'u']);

/**
 * The argument vector of /proc/PID/cmdline. A listening sshd overwrites its argv with its process
 * title (setproctitle, "sshd: /usr/sbin/sshd -D -f /etc/x [listener] 0 of 10-100 startups"),
 * which keeps the original command line joined by spaces: split that back (a config path with a
 * space in it then fails to match, and the socket check decides).
 */
export function argvOfCmdline(raw: string): string[] {
  const argv = raw.split('\0');
  if (argv.length > 1 && argv[argv.length - 1] === '') argv.pop();
  if (argv.length === 1 && argv[0]!.startsWith('sshd: ')) {
    return argv[0]!.slice('sshd: '.length).replace(/ \[listener\].*$/, '').split(' ').filter(Boolean);
  }
  return argv;
}

/** The config file an sshd command line reads: the last -f, or the default. */
export function configOfCmdline(argv: readonly string[]): string {
  let config = DEFAULT_CONFIG;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') continue;
    for (let k = 1; k < a.length; k++) {
      const c = a[k]!;
      if (!TAKES_ARG.has(c)) continue;
      const value = k + 1 < a.length ? a.slice(k + 1) : argv[++i];
      if (c === 'f' && value !== undefined) config = value;
      break;
    }
  }
  return config;
}

function listeningInodes(table: string, port: number): Set<string> {
  const out = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    if (!local || f[3] !== '0A') continue; // 0A = TCP_LISTEN
    if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && f[9]) out.add(f[9]);
  }
  return out;
}

async function holdsListeningSocket(fs: ReadOnlyFs, pid: number, port: number): Promise<boolean> {
  const inodes = new Set<string>();
  for (const t of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const r = await fs.readFile(t, 16 << 20);
    if (r.ok) for (const i of listeningInodes(bytesToText(r.bytes), port)) inodes.add(i);
  }
  if (inodes.size === 0) return false;
  for (const fd of (await fs.readDir(`/proc/${pid}/fd`)) ?? []) {
    const m = /^socket:\[(\d+)\]$/.exec((await fs.readLink(`/proc/${pid}/fd/${fd}`)) ?? '');
    if (m && inodes.has(m[1]!)) return true;
  }
  return false;
}

export async function identifySshd(fs: ReadOnlyFs, pid: number, expect: DaemonExpectation): Promise<DaemonIdentity> {
  const exe = (await fs.readLink(`/proc/${pid}/exe`))?.replace(/ \(deleted\)$/, '');
  if (exe === undefined) return { ok: false, why: `no process ${pid} whose executable can be read` };
  const base = exe.slice(exe.lastIndexOf('/') + 1);
  if (base !== 'sshd') return { ok: false, why: `pid ${pid} is ${exe}, not sshd` };
  const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 1 << 20);
  const argv = cmd.ok ? argvOfCmdline(bytesToText(cmd.bytes)) : [];
  const named = configOfCmdline(argv);
  const cwd = (await fs.readLink(`/proc/${pid}/cwd`)) ?? '/';
  const theirs = (await fs.realPath(resolve(cwd, named))) ?? resolve(cwd, named);
  const ours = (await fs.realPath(resolve(expect.configPath))) ?? resolve(expect.configPath);
  if (theirs === ours) return { ok: true, how: `sshd started with ${named}` };
  if (expect.port !== undefined && (await holdsListeningSocket(fs, pid, expect.port))) return { ok: true, how: `sshd listening on port ${expect.port}` };
  return { ok: false, why: `pid ${pid} is an sshd started with ${named}, not ${expect.configPath}${expect.port !== undefined ? `, and it does not hold port ${expect.port}` : ''}` };
}
