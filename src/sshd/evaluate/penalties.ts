// PerSourcePenalties (OpenSSH 9.8+): parsing one directive's fields as servconf.c
// sPerSourcePenalties does (10.0p1; 10.5p1 adds invaliduser and fractional seconds), merging
// them into the option slot (each field keeps its first active value; any field enables
// penalties, even after an earlier "no") and printing dump_config's line. Pure; the slot holds
// one "field=value" string per field set ("enabled", "crash", "max-sources4", ...).
import type { Diagnostic } from '../diagnostics.js';
import { atoiErr, convtime } from '../values/time.js';

/** The time fields, in dump_config's print order (servconf.c, 10.0p1 / 10.5p1). */
const PENALTY_TIMES = ['crash', 'authfail', 'noauth', 'invaliduser', 'grace-exceeded', 'refuseconnection', 'max', 'min'] as const;
/** fill_default_server_options' values. */
const PENALTY_DEFAULTS: Record<string, number> = { crash: 90, authfail: 5, noauth: 1, invaliduser: 5, 'grace-exceeded': 10, refuseconnection: 10, max: 600, min: 15 };

/** 10.5+ durations: convtime with a decimal fraction allowed (observed on 10.6p1: "1.5", "1.5s", "1m30s"). */
function penaltyTime(p: string, v2: boolean): number | undefined {
  if (v2) {
    const m = /^([0-9]+\.[0-9]*)([sS]?)$/.exec(p);
    if (m) return Number(m[1]);
  }
  return convtime(p);
}

export type ParsedPenalties =
  | { readonly ok: true; readonly fields: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly message: string; readonly code: Diagnostic['code'] };

/**
 * One line's arguments: "yes"/"no" only alone; `name:value` fields with case-sensitive names
 * (strncmp); the first occurrence of a field on the line wins. `v2`: 10.5+ (invaliduser, floats).
 */
export function parsePenalties(args: readonly string[], kw: string, v2: boolean): ParsedPenalties {
  const fields = new Map<string, string>();
  if (args.length === 0) return { ok: false, message: `no ${kw} specified`, code: 'MISSING_ARGUMENT' };
  for (const [i, a] of args.entries()) {
    const low = a.toLowerCase();
    if (low === 'no' || low === 'yes') {
      if (i < args.length - 1) return { ok: false, message: `keyword ${kw} "${a}" argument must appear alone.`, code: 'BAD_VALUE' };
      if (!fields.has('enabled')) fields.set('enabled', low === 'yes' ? '1' : '0');
      continue;
    }
    const colon = a.indexOf(':');
    const name = colon < 0 ? a : a.slice(0, colon);
    const rest = a.slice(colon + 1);
    let value: string;
    if ((PENALTY_TIMES as readonly string[]).includes(name) && colon > 0 && (name !== 'invaliduser' || v2)) {
      const t = penaltyTime(rest, v2);
      if (t === undefined) return { ok: false, message: `invalid ${kw} time value.`, code: 'BAD_VALUE' };
      value = String(t);
    } else if ((name === 'max-sources4' || name === 'max-sources6') && colon > 0) {
      const n = atoiErr(rest);
      if (n === undefined) return { ok: false, message: `${kw} value invalid.`, code: 'BAD_VALUE' };
      value = String(n);
    } else if (a === 'overflow:deny-all' || a === 'overflow:permissive' || a === 'overflow6:deny-all' || a === 'overflow6:permissive') {
      value = rest;
    } else return { ok: false, message: `unsupported ${kw} keyword ${a}`, code: 'BAD_VALUE' };
    if (!fields.has(name)) fields.set(name, value);
  }
  return { ok: true, fields };
}

/** The slot's fields after an active line: unset fields take the line's; any field enables penalties. */
export function mergePenalties(slot: readonly string[] | undefined, fields: ReadonlyMap<string, string>): string[] {
  const prev = new Map<string, string>((slot ?? []).map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
  for (const [k, v] of fields) {
    if (prev.has(k)) continue;
    prev.set(k, v);
    if (k !== 'enabled') prev.set('enabled', '1');
  }
  return [...prev].map(([k, v]) => `${k}=${v}`);
}

/** dump_config's PerSourcePenalties value from the slot's fields (unset fields print their defaults). */
export function renderPenalties(slot: readonly string[] | undefined, v2: boolean): string {
  const f = new Map<string, string>((slot ?? []).map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
  if (f.get('enabled') === '0') return 'no';
  const num = (k: string) => {
    const n = f.has(k) ? Number(f.get(k)) : PENALTY_DEFAULTS[k]!;
    return v2 ? n.toFixed(6) : String(Math.trunc(n));
  };
  const times = PENALTY_TIMES.filter((k) => v2 || k !== 'invaliduser').map((k) => `${k}:${num(k)}`);
  const overflow = f.get('overflow') ?? 'permissive';
  return [...times, `max-sources4:${f.get('max-sources4') ?? 65536}`, `max-sources6:${f.get('max-sources6') ?? 65536}`, `overflow:${overflow}`, `overflow6:${f.get('overflow6') ?? overflow}`].join(' ');
}
