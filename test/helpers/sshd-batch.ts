// `sshd -T` for several -C specs in ONE process spawn (a shell loop), for the differential and
// corpus tests: spawning from Node costs more than sshd -T itself on a loaded machine. Each run's
// stdout, stderr and exit code go to files beside the config and are read back as latin1 bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from './sshd.js';

const LOOP = 'f=$1; d=$2; s=$3; shift 3; i=0; for c in "$@"; do if [ "$c" = - ]; then "$s" -T -f "$f" >"$d/out.$i" 2>"$d/err.$i"; else "$s" -T -f "$f" -C "$c" >"$d/out.$i" 2>"$d/err.$i"; fi; echo $? >"$d/rc.$i"; i=$((i+1)); done';

/**
 * Runs `sshd -T -f main [-C spec]` for every spec (undefined = no -C). `dirSeen` is a writable
 * directory as sshd sees it, `dirHost` the same directory as this process sees it; `chrootTo`
 * runs the loop inside that root.
 */
export async function sshdTBatch(o: { sshd: string; main: string; dirSeen: string; dirHost: string; chrootTo?: string }, specs: readonly (string | undefined)[]): Promise<RunResult[]> {
  const args = ['-c', LOOP, 'sh', o.main, o.dirSeen, o.sshd, ...specs.map((s) => s ?? '-')];
  const r = o.chrootTo ? await run('chroot', [o.chrootTo, '/bin/sh', ...args], { timeoutMs: 120_000 }) : await run('/bin/sh', args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`sshd -T batch failed (${r.code}): ${r.stderr}`);
  return specs.map((_, i) => {
    const read = (n: string) => readFileSync(join(o.dirHost, `${n}.${i}`)).toString('latin1');
    return { code: Number(read('rc').trim()), stdout: read('out'), stderr: read('err') };
  });
}
