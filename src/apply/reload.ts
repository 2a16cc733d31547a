// Reloading the daemon and checking it with a new connection. Reload: `systemctl reload <unit>`
// on systemd hosts (Debian's ssh.service runs `sshd -t` before sending SIGHUP, so a bad config
// is refused and the old daemon keeps serving), otherwise SIGHUP to the pid in the PidFile
// (sshd(8): "sshd rereads its configuration file when it receives a hangup signal, SIGHUP, by
// executing itself with the name and options it was started with"), and only after that pid was
// shown to be the sshd of this config (daemon-identity.ts): a stale PidFile naming another
// program gets no signal, and the result says so (`signalled: false`). Verify: a fresh connection
// must answer, and its 'none' authentication must be refused with exactly the planned methods
// (auth2.c authmethods_get, OpenSSH 9.2p1: publickey, gssapi-with-mic, password,
// keyboard-interactive, hostbased as enabled).
import { bytesToText } from '../text/bytes.js';
import type { ApplyHost, ProbeResult } from './host.js';
import type { ReloadTarget, VerifyExpectation } from './plan.js';
import { identifySshd, type DaemonExpectation } from './daemon-identity.js';

/** `signalled: false`: the daemon was certainly not touched (no signal, no systemctl). */
export type StepResult = { readonly ok: true; readonly detail?: string } | { readonly ok: false; readonly reason: string; readonly signalled?: boolean };

export async function reloadDaemon(host: ApplyHost, target: ReloadTarget, daemon?: DaemonExpectation): Promise<StepResult> {
  if (target.kind === 'none') return { ok: true, detail: `not reloaded: ${target.why}` };
  if (target.kind === 'systemd') {
    const r = await host.run('systemctl', ['reload', target.unit], { timeoutMs: 60_000 });
    return r.code === 0 ? { ok: true } : { ok: false, reason: `systemctl reload ${target.unit} failed: ${(r.stderr || r.error || '').trim()}` };
  }
  const pid = await readPid(host, target.pidFile);
  if (pid === undefined) return { ok: false, signalled: false, reason: `no daemon pid in ${target.pidFile}` };
  if (daemon) {
    const who = await identifySshd(host.fs, pid, daemon);
    if (!who.ok) return { ok: false, signalled: false, reason: `${target.pidFile} names a process that is not the sshd of ${daemon.configPath} (${who.why}); no signal was sent` };
  }
  if (!(await host.signal(pid, 'SIGHUP'))) return { ok: false, reason: `sshd (pid ${pid} from ${target.pidFile}) is not running` };
  return { ok: true, detail: `SIGHUP sent to pid ${pid}` };
}

export async function readPid(host: ApplyHost, pidFile: string): Promise<number | undefined> {
  const r = await host.fs.readFile(pidFile, 64);
  if (!r.ok) return undefined;
  const n = Number.parseInt(bytesToText(r.bytes).trim(), 10);
  return Number.isSafeInteger(n) && n > 1 ? n : undefined;
}

export function sameMethods(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function judge(p: ProbeResult, exp: VerifyExpectation): StepResult {
  if (!p.ok) return { ok: false, reason: `a new connection to ${exp.address}:${exp.port} failed: ${p.error}` };
  if (exp.identExcludes && p.ident.includes(exp.identExcludes)) return { ok: false, reason: `the daemon still announces "${p.ident}"` };
  if (exp.methods && !sameMethods(exp.methods, p.methods)) {
    return { ok: false, reason: `the daemon offers "${p.methods.join(',')}" where the plan expects "${exp.methods.join(',')}"` };
  }
  return { ok: true, detail: `${p.ident}; offers ${p.methods.join(',') || '(nothing)'}` };
}

/**
 * Retries until the daemon shows the expected state or the deadline passes: after SIGHUP sshd
 * re-executes and briefly stops listening, and a connection accepted just before still runs the
 * old configuration.
 */
export async function verifyDaemon(host: ApplyHost, exp: VerifyExpectation, timeoutMs = 10_000): Promise<StepResult> {
  const deadline = host.now() + timeoutMs;
  let last: StepResult = { ok: false, reason: 'not checked' };
  for (;;) {
    const p = await host.probe(exp.address, exp.port, exp.user, Math.min(5000, timeoutMs));
    last = judge(p, exp);
    if (last.ok || host.now() >= deadline) return last;
    await host.sleep(200);
  }
}
