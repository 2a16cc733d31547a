// One host's whole remote change (the HostChangeRunner of change-types.ts): sshield's single
// executable made present and verified on the host (remote-binary.ts), the change run THERE with
// --json --yes --confirm-timeout S (so lock, journal, backup, rollback and the confirm watcher
// are the host's own), its envelope read as untrusted input (remote-envelope.ts). An applied
// change is then proven with a NEW connection: its own ssh client, no shared master
// (ControlMaster=no, ControlPath=none), the same ssh config, options, user, agent and identities
// as the admin's target, from this machine. That connection's remote shell prints a ready line
// and waits for one word on its stdin; the hook (beforeConfirm: the PVE peers' SSH) runs, and
// the word is `confirm` (`sshield confirm --json` over that new connection) or `reject`
// (`sshield confirm --reject --json`: rolled back now). When the new connection cannot be made,
// the change is rejected over the run's shared connection (the session that made a change can
// never confirm it: sshield confirm refuses its own session); when not even that reaches the
// host, the host's watcher rolls it back at the window's end, and the reason says so. An abort
// (the admin's Ctrl-C) never confirms: a change already applied is rejected.
// The watcher the host starts is detached with its stdio on /dev/null (local-host.ts
// spawnDetached), so the run's ssh session ends when sshield does.
import type { HostChangeHooks, HostChangeResult, HostChangeRunner, HostChangeStatus, CheckResult } from './change-types.js';
import { ensureRemoteBinary, runCommand, sshFailure, TAMPERED_EXIT, TAMPERED_MARK, type RemoteBinary } from './remote-binary.js';
import { excerpt, hostArgs, parseEnvelope, verdictOfConfirm, verdictOfRun, type HostEnvelope } from './remote-envelope.js';
import { spawn } from 'node:child_process';
import { lastLine, type SshPool, type SshResult } from './ssh.js';
import { targetText, type FleetTarget } from './target.js';
import { DEFAULT_CONFIRM_WINDOW_SEC } from '../apply/confirm.js';

export type RemoteStep = 'copy' | 'run' | 'applied' | 'prove' | 'check' | 'confirm' | 'reject';

export interface RemoteChangeOptions {
  readonly pool: SshPool;
  /** The host's command and its own flags (['harden', '--profile', 'proxmox']); the runner adds --json, --yes, --confirm-timeout. */
  readonly argv: readonly string[];
  /** One host's whole run, ms (the rollout's --host-timeout); the confirm window is extra. */
  readonly deadlineMs: number;
  /** --remote-binary FILE (else $SSHIELD_REMOTE_BINARY, this single executable, dist/sshield-linux-<arch>). */
  readonly binary?: string;
  /** The host's confirm window, seconds (default 120; 10..86400). */
  readonly confirmTimeoutSec?: number;
  /** Extra ssh -o options for the proof connection only (tests: a key the host refuses). */
  readonly proofOptions?: readonly string[];
  /** Progress, and the tests' pause points (awaited). */
  readonly onStep?: (target: FleetTarget, step: RemoteStep, detail?: string) => void | Promise<void>;
  /** Cap on the host's answer (default 8 MiB). */
  readonly maxAnswerBytes?: number;
  /** Test seam: whether this process is the single executable. */
  readonly sea?: boolean;
}

/** The host's exit and stdout as one verdict on transport problems; undefined: an answer to read. */
function transportProblem(r: SshResult): string | undefined {
  if (r.error) return r.error;
  if (r.code === 255 && /^(ssh|kex_exchange|Connection|Host key|Permission denied|mux_client|Control socket)/m.test(r.stderr)) return sshFailure(r.stderr);
  if (r.code === TAMPERED_EXIT && r.stderr.includes(TAMPERED_MARK)) return excerpt(lastLine(r.stderr) ?? '', 300);
  return undefined;
}

/** The envelope of a host's answer whose exit code agrees with it, or why not. */
function readAnswer(r: SshResult): HostEnvelope | { readonly error: string } {
  const e = parseEnvelope(r.stdout.toString('utf8'));
  const last = lastLine(r.stderr);
  const tail = last ? `; stderr: ${excerpt(last, 200)}` : '';
  if ('error' in e) return { error: `${e.error} (exit ${r.code ?? r.signal}${tail})` };
  if (r.code !== e.outcome.exitCode) return { error: `the host's sshield exited ${r.code ?? r.signal} but its envelope says ${e.outcome.kind} (exit ${e.outcome.exitCode})${tail}` };
  return e;
}

function when(deadline: number): string {
  return new Date(deadline).toISOString().replace(/\.\d+Z$/, 'Z');
}

interface ProofSession {
  /** Resolves true when the host's shell printed its ready line over the new connection; false with why. */
  readonly ready: Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }>;
  /** Sends the word and resolves with the host's answer. */
  send(word: 'confirm' | 'reject', timeoutMs: number): Promise<SshResult>;
  close(): void;
}

const READY = 'sshield-proof-ready';

/**
 * A new connection to the host (never the shared master) whose remote shell says READY and then
 * runs `sshield confirm` or `sshield confirm --reject` as told on stdin; EOF: nothing (the host's
 * watcher decides at the deadline).
 */
function openProof(pool: SshPool, target: FleetTarget, bin: RemoteBinary, options: readonly string[], readyMs: number, maxAnswer: number): ProofSession {
  const confirm = runCommand(bin, ['confirm', '--json']);
  const reject = runCommand(bin, ['confirm', '--reject', '--json']);
  const remote = `printf '%s\\n' ${READY}; read -r w || exit 0; case "$w" in confirm) ${confirm};; reject) ${reject};; esac; exit 0`;
  const child = spawn(pool.program, [...pool.argsFor(target, { fresh: true, options }), remote], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  let out = Buffer.alloc(0);
  let err = '';
  let over = false;
  let readyDone = false;
  let noise = 0;
  let onReady: (v: { ok: true } | { ok: false; reason: string }) => void = () => undefined;
  const exited = new Promise<{ code: number | null; signal: string | null; error?: string }>((resolve) => {
    child.on('error', (e) => resolve({ code: null, signal: null, error: `cannot run ssh: ${e.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const ready = new Promise<{ ok: true } | { ok: false; reason: string }>((resolve) => {
    onReady = (v) => {
      if (readyDone) return;
      readyDone = true;
      clearTimeout(timer);
      resolve(v);
    };
    const timer = setTimeout(() => {
      onReady({ ok: false, reason: `the new connection gave no shell within ${Math.round(readyMs / 1000)} s` });
      child.kill('SIGKILL');
    }, readyMs);
  });
  child.stdout.on('data', (d: Buffer) => {
    if (out.length + d.length > maxAnswer) {
      over = true;
      child.kill('SIGKILL');
      return;
    }
    out = Buffer.concat([out, d]);
    // Lines before READY are the login shell's own noise (a chatty .bashrc), skipped; READY must
    // come within the first 64 KiB.
    for (let nl = out.indexOf(10); !readyDone && nl >= 0; nl = out.indexOf(10)) {
      const line = out.subarray(0, nl).toString('utf8');
      out = out.subarray(nl + 1);
      if (line === READY) onReady({ ok: true });
      else noise += nl + 1;
    }
    if (!readyDone && noise + out.length > 65536) {
      onReady({ ok: false, reason: 'the new connection\'s shell printed 64 KiB without running the proof' });
      child.kill('SIGKILL');
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (err.length < 65536) err += d;
  });
  void exited.then((x) => onReady({ ok: false, reason: x.error ?? `the new connection failed: ${x.code === 255 ? sshFailure(err) : lastLine(err) || `exit ${x.code ?? x.signal}`}` }));
  return {
    ready,
    async send(word, timeoutMs) {
      child.stdin.end(`${word}\n`);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const x = await exited;
      clearTimeout(timer);
      const error = x.error ?? (over ? `sent more than ${maxAnswer} bytes` : timedOut ? `no answer within ${Math.round(timeoutMs / 1000)} s` : undefined);
      return { code: x.code, signal: x.signal, stdout: out, stderr: err, ...(error ? { error } : {}) };
    },
    close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** The runner the rollout drives (change-types.ts). */
export function remoteChangeRunner(o: RemoteChangeOptions): HostChangeRunner {
  const windowSec = o.confirmTimeoutSec ?? DEFAULT_CONFIRM_WINDOW_SEC;
  if (!Number.isInteger(windowSec) || windowSec < 10 || windowSec > 86_400) throw new RangeError('confirmTimeoutSec must be whole seconds from 10 to 86400');
  const maxAnswer = o.maxAnswerBytes ?? 8 << 20;
  const { args, dryRun } = hostArgs(o.argv, windowSec);
  return async (target: FleetTarget, hooks: HostChangeHooks, signal?: AbortSignal): Promise<HostChangeResult> => {
    const t0 = Date.now();
    const end = t0 + o.deadlineMs;
    const left = () => Math.max(1000, end - Date.now());
    let envelope: unknown;
    let backupId: string | undefined;
    const done = (status: HostChangeStatus, reason?: string): HostChangeResult => ({
      name: target.name,
      target: targetText(target),
      status,
      ...(reason !== undefined ? { reason } : {}),
      ...(envelope !== undefined ? { envelope } : {}),
      ...(backupId !== undefined ? { backupId } : {}),
      ms: Date.now() - t0,
    });
    const step = async (s: RemoteStep, detail?: string) => {
      await o.onStep?.(target, s, detail);
    };
    if (signal?.aborted) return done('skipped', `interrupted before this host: ${String(signal.reason ?? 'aborted')}`);

    await step('copy');
    const bin = await ensureRemoteBinary(o.pool, target, { ...(o.binary !== undefined ? { binary: o.binary } : {}), timeoutMs: Math.min(60_000, left()), ...(signal ? { signal } : {}), ...(o.sea !== undefined ? { sea: o.sea } : {}) });
    if (!bin.ok) return signal?.aborted ? done('skipped', `interrupted before the change ran: ${String(signal.reason ?? 'aborted')}`) : done(bin.kind, bin.reason);

    await step('run', bin.value.uploaded ? `copied ${bin.value.path}` : `cached ${bin.value.path}`);
    // The window's end as this machine's clock sees it: no later than the host's (it armed its
    // window after this call started), whatever the two clocks say.
    const windowEnd = Date.now() + windowSec * 1000;
    const r = await o.pool.exec(target, runCommand(bin.value, args), { timeoutMs: left(), maxStdout: maxAnswer, ...(signal ? { signal } : {}) });
    const broke = signal?.aborted ? `interrupted while the host ran the change (${String(signal.reason ?? 'aborted')})` : transportProblem(r);
    if (broke) return done('failed', dryRun ? broke : `${broke}; if the host applied the change, its watcher rolls it back when the ${windowSec} s window ends unconfirmed`);
    const answer = readAnswer(r);
    if ('error' in answer) return done('failed', answer.error);
    envelope = answer.raw;
    const verdict = verdictOfRun(answer.outcome, dryRun);
    if (verdict.next === 'done') {
      if (verdict.backupId !== undefined) backupId = verdict.backupId;
      return done(verdict.status, verdict.reason);
    }
    backupId = verdict.backupId;
    await step('applied', backupId);

    // Over the run's shared connection: roll back now; if that fails too, the watcher will.
    const rejectOverMaster = async (why: string): Promise<HostChangeResult> => {
      await step('reject', why);
      const rr = await o.pool.exec(target, runCommand(bin.value, ['confirm', '--reject', '--json']), { timeoutMs: 60_000, maxStdout: maxAnswer });
      return afterReject(rr, why);
    };
    const afterReject = (rr: SshResult, why: string): HostChangeResult => {
      const late = `the host's watcher rolls it back at ${when(verdict.deadline)} (the end of the confirm window)`;
      const p = transportProblem(rr);
      if (p) return done('failed', `${why}; rolling back now failed (${p}): ${late}`);
      const a = readAnswer(rr);
      if ('error' in a) return done('failed', `${why}; rolling back now failed (${a.error}): ${late}`);
      const v = verdictOfConfirm(a.outcome);
      if (v === 'rolled-back') return done('rolled-back', `${why}; rolled back now`);
      if (v === 'too-late') return done('rolled-back', `${why}; the host's watcher had already rolled it back`);
      return done('failed', `${why}; rolling back now answered ${typeof v === 'string' ? v : v.other}: ${late}`);
    };
    if (signal?.aborted) return rejectOverMaster(`interrupted before the change was confirmed (${String(signal.reason ?? 'aborted')})`);

    await step('prove');
    // The proof has the confirm window, not what the host deadline left (the window is extra).
    const readyMs = Math.min(60_000, Math.max(5000, windowEnd - Date.now() - 2000));
    const proof = openProof(o.pool, target, bin.value, o.proofOptions ?? [], readyMs, maxAnswer);
    try {
      const ready = await proof.ready;
      if (!ready.ok) {
        proof.close();
        return await rejectOverMaster(`access not proven after the change: ${ready.reason}`);
      }
      let check: CheckResult = { ok: true };
      if (hooks.beforeConfirm) {
        await step('check');
        try {
          check = await hooks.beforeConfirm(target);
        } catch (e) {
          check = { ok: false, reason: `the check before confirming failed: ${(e as Error).message}` };
        }
      }
      if (signal?.aborted) check = { ok: false, reason: `interrupted before the change was confirmed (${String(signal.reason ?? 'aborted')})` };
      if (!check.ok) {
        await step('reject', check.reason);
        const rr = await proof.send('reject', 60_000);
        // The proof's connection broke meanwhile: the run's own connection may still reach the host.
        return transportProblem(rr) ? await rejectOverMaster(check.reason) : afterReject(rr, check.reason);
      }
      await step('confirm');
      const c = await proof.send('confirm', Math.max(10_000, Math.min(60_000, windowEnd - Date.now() + 5000)));
      const p = transportProblem(c);
      const lost = `the confirmation's answer was lost; unless the host confirmed it, its watcher rolls it back at ${when(verdict.deadline)} (check with \`sshield backups\` on the host)`;
      if (p) return done('failed', `${p}: ${lost}`);
      const a = readAnswer(c);
      if ('error' in a) return done('failed', `${a.error}: ${lost}`);
      const v = verdictOfConfirm(a.outcome);
      if (v === 'confirmed') return done('changed');
      if (v === 'too-late') return done('rolled-back', `not confirmed within the ${windowSec} s window: the host's watcher rolled it back`);
      return await rejectOverMaster(`confirming answered ${typeof v === 'string' ? v : v.other}`);
    } finally {
      proof.close();
    }
  };
}
