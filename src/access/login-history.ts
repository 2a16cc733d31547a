// Addresses accounts have logged in from: `last -i -w` (wtmp; "USER TTY ADDR date...") and
// sshd's auth log lines "Accepted METHOD for USER from ADDR port N" (auth2.c auth_log). Pure.
import { isIP } from 'node:net';

export function loginAddresses(last: string | undefined, authLog: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (u: string, a: string) => {
    if (isIP(a) === 0 || a === '0.0.0.0' || a === '::') return;
    const l = out.get(u) ?? [];
    if (!l.includes(a)) l.push(a);
    out.set(u, l);
  };
  for (const l of (last ?? '').split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s/.exec(l);
    if (m && m[1] !== 'reboot' && m[1] !== 'shutdown' && m[1] !== 'wtmp') add(m[1]!, m[3]!);
  }
  for (const l of (authLog ?? '').split('\n')) {
    const m = /sshd(?:-session)?\[\d+\]: Accepted \S+ for (\S+) from (\S+) port \d+/.exec(l);
    if (m) add(m[1]!, m[2]!);
  }
  return out;
}
