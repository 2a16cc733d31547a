// Certificate validity for `ca sign` and `ca sign-host`: parses the admin's interval (the
// `ssh-keygen -V` forms sshield accepts: `+8h`, `-5m:+1h`, `20261204000000Z:20261205000000Z`),
// turns it into absolute UTC instants computed once (so the ledger records exactly what the
// certificate says, with no second clock read by ssh-keygen), and judges it against the CA's
// policy maximum. Pure: `now` is given. ssh-keygen(1) (OpenSSH 9.2p1): "a validity interval may
// consist of a single time, indicating that the certificate is valid beginning now"; times with a
// trailing Z are UTC.

export interface Validity {
  /** Seconds since the epoch (UTC). */
  readonly from: number;
  readonly to: number;
}

export type ValidityResult = { readonly ok: true; readonly value: Validity } | { readonly ok: false; readonly message: string };

const UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

/** One time of an interval: relative (`+8h`, `-5m`, `+1d12h`) or absolute UTC (`YYYYMMDD[HHMM[SS]]Z`). */
function parseTime(word: string, now: number): number | string {
  const rel = /^([+-])((?:\d+[smhdw]?)+)$/.exec(word);
  if (rel) {
    let secs = 0;
    for (const m of rel[2]!.matchAll(/(\d+)([smhdw]?)/g)) secs += Number(m[1]) * UNIT[m[2] || 's']!;
    return rel[1] === '+' ? now + secs : now - secs;
  }
  const abs = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z$/.exec(word);
  if (abs) {
    const [y, mo, d, h, mi, s] = abs.slice(1).map((v) => Number(v ?? 0));
    const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) / 1000;
    const back = new Date(t * 1000);
    if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d! || h! > 23 || mi! > 59 || s! > 59) return `"${word}" is not a calendar time`;
    return t;
  }
  if (/^\d{8}(\d{4}(\d{2})?)?$/.test(word)) return `"${word}": write absolute times in UTC with a trailing Z (e.g. ${word}Z); a local time means different instants on the CA machine and the servers`;
  return `"${word}" is not a time: use +8h, -5m, +1d or YYYYMMDD[HHMM[SS]]Z`;
}

/** Parses `[FROM:]TO`; FROM defaults to now. */
export function parseValidity(text: string, now: number): ValidityResult {
  const parts = text.trim().split(':');
  if (parts.length > 2 || parts.some((p) => p === '')) return { ok: false, message: `--validity "${text}": expected [FROM:]TO, e.g. +8h or -5m:+1h` };
  const times = parts.map((p) => parseTime(p, now));
  const bad = times.find((t): t is string => typeof t === 'string');
  if (bad) return { ok: false, message: `--validity: ${bad}` };
  const [from, to] = times.length === 2 ? (times as [number, number]) : [now, times[0] as number];
  if (to <= from) return { ok: false, message: `--validity "${text}": ends before it starts` };
  return { ok: true, value: { from, to } };
}

/** The `ssh-keygen -V` argument for exact instants: `YYYYMMDDHHMMSSZ:YYYYMMDDHHMMSSZ`. */
export function validityArg(v: Validity): string {
  return `${utcStamp(v.from)}:${utcStamp(v.to)}`;
}

export function utcStamp(secs: number): string {
  return `${new Date(secs * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** ISO 8601 UTC, for the ledger and the JSON output. */
export function isoOf(secs: number): string {
  return new Date(secs * 1000).toISOString().replace('.000Z', 'Z');
}

/** Durations for people and the policy: `30m`, `8h`, `7d`, `52w`, or a number of seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^((?:\d+[smhdw])+)$/.exec(text.trim());
  if (!m) return undefined;
  let secs = 0;
  for (const p of m[1]!.matchAll(/(\d+)([smhdw])/g)) secs += Number(p[1]) * UNIT[p[2]!]!;
  return secs > 0 ? secs : undefined;
}

export function formatDuration(secs: number): string {
  for (const [u, n] of [['w', UNIT.w!], ['d', UNIT.d!], ['h', UNIT.h!], ['m', UNIT.m!]] as const) if (secs % n === 0) return `${secs / n}${u}`;
  return `${secs}s`;
}

/** Why this interval breaks the policy (longer than `maxSecs`), or undefined. */
export function overPolicy(v: Validity, maxSecs: number): string | undefined {
  const len = v.to - v.from;
  return len > maxSecs ? `the validity (${formatDuration(len)}) is longer than this CA's maximum of ${formatDuration(maxSecs)}` : undefined;
}
