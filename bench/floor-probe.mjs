// The physical floor for `sshield scan`: the least any scanner must do per target to read a
// server's algorithm lists. Open a TCP connection, send an identification line, read the
// server's identification and its first binary packet (KEXINIT, RFC 4253 §7.1), close. No
// parsing, no findings, no output beyond one number. All targets at once. What is left is the
// server side: sshd forks and re-executes itself for every connection (OpenSSH sshd.c, server
// loop: fork, then rexec of sshd / sshd-session), which on a small machine is most of the time.
// Plain JavaScript on purpose: `node bench/floor-probe.mjs TARGETS_FILE` measures the floor as
// a whole process with nothing loaded (no tsx, no bundle); bench/scan.bench.ts also imports it
// to measure it in-process. Prints `{"ms":..,"ok":..,"errors":[..]}` when run directly.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';

/** Reads one target's KEXINIT; resolves with undefined or an error text, never rejects. */
function probeOne(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let buf = Buffer.alloc(0);
    let result;
    const finish = (r) => {
      if (result !== undefined) return;
      result = r;
      s.destroy();
    };
    s.setTimeout(timeoutMs, () => finish(`timeout after ${timeoutMs} ms`));
    s.once('connect', () => s.write('SSH-2.0-floor\r\n'));
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      // skip lines up to and including the one starting with "SSH-" (RFC 4253 §4.2)
      let at = 0;
      for (;;) {
        const nl = buf.indexOf(0x0a, at);
        if (nl < 0) return;
        const isIdent = buf.subarray(at, at + 4).toString('latin1') === 'SSH-';
        at = nl + 1;
        if (isIdent) break;
      }
      if (buf.length < at + 4) return;
      const need = at + 4 + buf.readUInt32BE(at);
      if (buf.length >= need) finish('');
    });
    s.once('error', (e) => finish(e.message));
    s.once('close', () => resolve(result === undefined ? 'closed before KEXINIT' : result || undefined));
  });
}

/** All targets at once; resolves when every socket has closed. */
export async function floorProbe(targets, timeoutMs = 10_000) {
  const t0 = performance.now();
  const res = await Promise.all(targets.map((t) => probeOne(t.host, t.port, timeoutMs)));
  const ms = performance.now() - t0;
  const errors = res.flatMap((e, i) => (e ? [`${targets[i].host}:${targets[i].port}: ${e}`] : []));
  return { ms, ok: targets.length - errors.length, errors };
}

/** "host:port" lines (the --targets file format for IPv4 and names). */
export function parseTargets(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const i = l.lastIndexOf(':');
    return { host: l.slice(0, i), port: Number(l.slice(i + 1)) };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await floorProbe(parseTargets(readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8')));
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
