// Policy files (YAML): extend a built-in profile, switch rules on/off, set rule options, waive a
// rule or a single CVE with a reason and an expiry date. Parsed with `yaml` (keeping node ranges)
// and validated by one walk over the syntax tree, so loading is linear in the file: every node is
// visited once, every location comes from the node itself (no searching), duplicate keys are
// found with a Set (yaml's own uniqueKeys check is quadratic, so it is off). Refused before
// parsing: files over MAX_POLICY_BYTES and nesting deeper than MAX_POLICY_DEPTH (a deep file
// used to end in "Maximum call stack size exceeded"). Keys `__proto__`, `constructor` and
// `prototype` are refused anywhere. Unknown rule ids are reported once, with a count. Every
// problem names file:line:col. Pure: the caller reads the file.
import { LineCounter, Parser, Composer, isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import { getRule } from '../rules/registry.js';
import type { OptionSpec, OptionValues } from '../rules/types.js';
import { PROFILES, isBuiltinProfile, type Profile, type RuleSetting } from './profiles.js';

export interface Waiver {
  /** The waived rule; a CVE waiver waives one CVE of host/no-known-vulnerabilities. */
  readonly rule: string;
  readonly cve?: string;
  readonly reason: string;
  /** YYYY-MM-DD, inclusive. */
  readonly expires: string;
}

export interface Policy {
  readonly profile: Profile;
  readonly source: string;
  readonly waivers: readonly Waiver[];
}

export interface PolicyError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Larger files are refused unread (a policy is a few hundred lines; this allows thousands of times more). */
export const MAX_POLICY_BYTES = 8 * 1024 * 1024;
/** Deeper nesting is refused before parsing (the schema needs 5 levels). */
export const MAX_POLICY_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const CVE_RULE = 'host/no-known-vulnerabilities';

function checkOption(name: string, spec: OptionSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `option ${name} must be an integer`;
      if (spec.min !== undefined && value < spec.min) return `option ${name} must be at least ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `option ${name} must be at most ${spec.max}`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `option ${name} must be true or false`;
    case 'string-list':
      return Array.isArray(value) && value.every((x) => typeof x === 'string') ? undefined : `option ${name} must be a list of strings`;
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value) ? undefined : `option ${name} must be one of ${spec.values.join(', ')}`;
  }
}

/**
 * The deepest nesting of the text, counted in one pass without parsing: flow brackets outside
 * quotes and comments, plus block levels (each line deeper than the one it follows opens a level;
 * a "- " item counts as one). Over-estimates rather than under-estimates.
 */
export function nestingDepth(text: string): { depth: number; offset: number } {
  let max = 0;
  let at = 0;
  let flow = 0;
  const indents: number[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lineStart = i;
    let col = 0;
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++, col++;
    // Block sequence markers ("- - - x") nest too.
    let dashes = 0;
    while (i < n && text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\n' || i + 1 === n)) {
      dashes++;
      i += 2;
      while (i < n && text[i] === ' ') i++;
    }
    const blank = i >= n || text[i] === '\n' || text[i] === '#';
    if (!blank && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= col) indents.pop();
      indents.push(col);
    }
    let quote: string | undefined;
    for (; i < n && text[i] !== '\n'; i++) {
      const ch = text[i]!;
      if (quote) {
        if (ch === '\\' && quote === '"') i++;
        else if (ch === quote) quote = undefined;
        continue;
      }
      if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '#' && (i === lineStart || /\s/.test(text[i - 1]!))) {
        while (i < n && text[i] !== '\n') i++;
        break;
      } else if (ch === '[' || ch === '{') {
        flow++;
        if (flow + indents.length + dashes > max) (max = flow + indents.length + dashes), (at = i);
      } else if ((ch === ']' || ch === '}') && flow > 0) flow--;
    }
    if (indents.length + dashes > max) (max = indents.length + dashes), (at = lineStart);
    i++;
  }
  return { depth: max, offset: at };
}

type Path = readonly (string | number)[];

/** Parses and validates a policy file's text. */
export function parsePolicy(text: string, file: string, opts: { stats?: { pairs: number } } = {}): { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] } {
  const lc = new LineCounter();
  const errors: PolicyError[] = [];
  const at = (offset: number | undefined, message: string) => {
    const p = lc.linePos(offset ?? 0);
    errors.push({ file, line: p.line, column: p.col, message });
  };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_POLICY_BYTES) {
    errors.push({ file, line: 1, column: 1, message: `policy file is ${bytes} bytes, over the limit of ${MAX_POLICY_BYTES}` });
    return { ok: false, errors };
  }
  const deep = nestingDepth(text);
  if (deep.depth > MAX_POLICY_DEPTH) {
    // The line counter is filled by the parser; count lines by hand here.
    let line = 1;
    let col = 1;
    for (let k = 0; k < deep.offset; k++) if (text.charCodeAt(k) === 10) (line++, (col = 1)); else col++;
    errors.push({ file, line, column: col, message: `nesting deeper than ${MAX_POLICY_DEPTH} levels` });
    return { ok: false, errors };
  }
  const docs: Document.Parsed[] = [];
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false });
  for (const doc of composer.compose(new Parser(lc.addNewLine).parse(text), true)) docs.push(doc);
  const doc = docs[0];
  if (!doc) return { ok: true, policy: { profile: { ...PROFILES.baseline, name: `${PROFILES.baseline.name}+${file.split('/').pop()}` }, source: file, waivers: [] } };
  for (const e of doc.errors) at(e.pos[0], e.message.split('\n')[0]!);
  if (docs.length > 1) at(docs[1]!.range[0], 'a policy file holds one YAML document');
  if (errors.length > 0) return { ok: false, errors };

  const startOf = (n: unknown): number | undefined => (n && typeof n === 'object' && 'range' in n ? (n as Node).range?.[0] : undefined);
  const scalar = (n: unknown): unknown => (isScalar(n) ? n.value : undefined);
  const pairsOf = (n: unknown, path: Path): Pair[] | undefined => {
    if (!isMap(n)) {
      at(startOf(n), `${path.join('.')}: expected a mapping`);
      return undefined;
    }
    const seen = new Set<string>();
    const out: Pair[] = [];
    for (const p of n.items) {
      if (opts.stats) opts.stats.pairs++;
      const k = scalar(p.key);
      const key = typeof k === 'string' ? k : String(k);
      if (FORBIDDEN_KEYS.has(key)) {
        at(startOf(p.key), `key "${key}" is not allowed`);
        continue;
      }
      if (seen.has(key)) {
        at(startOf(p.key), `duplicate key "${key}"`);
        continue;
      }
      seen.add(key);
      out.push(p);
    }
    return out;
  };
  const keyOf = (p: Pair): string => String(scalar(p.key));
  const toJs = (n: unknown): unknown => (n && typeof n === 'object' && 'toJSON' in n ? (n as { toJSON(): unknown }).toJSON() : n);

  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) {
    return { ok: true, policy: { profile: { ...PROFILES.baseline, name: `${PROFILES.baseline.name}+${file.split('/').pop()}` }, source: file, waivers: [] } };
  }
  const topPairs = isMap(top) ? pairsOf(top, []) : (at(startOf(top), 'a policy file is a mapping (extends, rules, waivers)'), undefined);
  if (!topPairs) return { ok: false, errors };
  let extendsNode: Pair | undefined;
  let rulesNode: Pair | undefined;
  let waiversNode: Pair | undefined;
  for (const p of topPairs) {
    const k = keyOf(p);
    if (k === 'extends') extendsNode = p;
    else if (k === 'rules') rulesNode = p;
    else if (k === 'waivers') waiversNode = p;
    else at(startOf(p.key), `unknown key "${k}"`);
  }
  if (errors.length > 0) return { ok: false, errors };

  let baseName = 'baseline';
  if (extendsNode) {
    const v = scalar(extendsNode.value);
    if (typeof v !== 'string') at(startOf(extendsNode.value) ?? startOf(extendsNode.key), 'extends: expected a profile name');
    else if (!isBuiltinProfile(v)) at(startOf(extendsNode.value), `unknown profile "${v}" (built-in: baseline, proxmox, strict)`);
    else baseName = v;
  }
  if (errors.length > 0) return { ok: false, errors };
  const base = PROFILES[baseName as 'baseline'];
  const rules: Record<string, RuleSetting> = { ...base.rules };

  const unknownIds: { id: string; offset: number | undefined }[] = [];
  if (rulesNode && !(isScalar(rulesNode.value) && rulesNode.value.value === null)) {
    for (const p of pairsOf(rulesNode.value, ['rules']) ?? []) {
      const id = keyOf(p);
      const rule = getRule(id);
      if (!rule) {
        unknownIds.push({ id, offset: startOf(p.key) });
        continue;
      }
      const prev = rules[id] ?? { enabled: false };
      const v = p.value;
      const sv = scalar(v);
      if (sv === 'on' || sv === true) rules[id] = { ...prev, enabled: true };
      else if (sv === 'off' || sv === false) rules[id] = { ...prev, enabled: false };
      else if (isMap(v)) {
        const opts: Record<string, OptionValues[string]> = { ...(prev.options ?? {}) };
        let enabled = true;
        for (const q of pairsOf(v, ['rules', id]) ?? []) {
          const k = keyOf(q);
          if (k === 'enabled') {
            const e = scalar(q.value);
            if (typeof e !== 'boolean') at(startOf(q.value), `rules.${id}.enabled: expected true or false`);
            else enabled = e;
          } else if (k === 'options') {
            for (const o of pairsOf(q.value, ['rules', id, 'options']) ?? []) {
              const name = keyOf(o);
              const spec = rule.meta.options?.[name];
              const val = toJs(o.value);
              const problem = spec ? checkOption(name, spec, val) : `rule ${id} has no option "${name}"`;
              if (problem) at(startOf(o.value) ?? startOf(o.key), problem);
              else opts[name] = val as OptionValues[string];
            }
          } else at(startOf(q.key), `unknown key "${k}"`);
        }
        rules[id] = { enabled, options: opts };
      } else at(startOf(v) ?? startOf(p.key), `rules.${id}: expected on, off, true, false or { enabled, options }`);
    }
  }
  if (unknownIds.length > 0) {
    const first = unknownIds[0]!;
    const more = unknownIds.length - 1;
    at(first.offset, more === 0 ? `unknown rule "${first.id}"` : `unknown rule "${first.id}" and ${more} more unknown rule id${more === 1 ? '' : 's'} (${unknownIds.length} in all; first few: ${unknownIds.slice(1, 4).map((u) => u.id).join(', ')})`);
  }

  const waivers: Waiver[] = [];
  if (waiversNode && !(isScalar(waiversNode.value) && waiversNode.value.value === null)) {
    const seq = waiversNode.value;
    if (!isSeq(seq)) at(startOf(seq), 'waivers: expected a list');
    else {
      seq.items.forEach((item, i) => {
        const path = `waivers.${i}`;
        const fields = pairsOf(item, ['waivers', i]);
        if (!fields) return;
        const get = (k: string) => fields.find((f) => keyOf(f) === k);
        for (const f of fields) if (!['rule', 'cve', 'reason', 'expires'].includes(keyOf(f))) at(startOf(f.key), `unknown key "${keyOf(f)}"`);
        const rule = get('rule');
        const cve = get('cve');
        const reason = get('reason');
        const expires = get('expires');
        const r = scalar(rule?.value);
        const c = scalar(cve?.value);
        if (rule && cve) return at(startOf(cve.key), `${path}: a waiver names a rule or a cve, not both`);
        if (!rule && !cve) return at(startOf(item), `${path}: a waiver needs a rule or a cve`);
        if (rule && (typeof r !== 'string' || !getRule(r))) return at(startOf(rule.value), `unknown rule "${String(r)}"`);
        if (cve && (typeof c !== 'string' || !/^CVE-\d{4}-\d{4,}$/.test(c))) return at(startOf(cve.value), `${path}.cve: expected a CVE id like CVE-2024-6387`);
        const why = scalar(reason?.value);
        if (typeof why !== 'string' || why.length === 0) return at(startOf(reason?.value) ?? startOf(item), `${path}.reason: a waiver needs a reason`);
        const ex = scalar(expires?.value);
        const day = ex instanceof Date ? ex.toISOString().slice(0, 10) : ex;
        if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return at(startOf(expires?.value) ?? startOf(item), `${path}.expires: expires must be a date YYYY-MM-DD`);
        if (Number.isNaN(Date.parse(day))) return at(startOf(expires!.value), `invalid date "${day}"`);
        waivers.push(cve ? { rule: CVE_RULE, cve: c as string, reason: why, expires: day } : { rule: r as string, reason: why, expires: day });
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policy: { profile: { ...base, name: `${base.name}+${file.split('/').pop()}`, rules }, source: file, waivers } };
}

export function formatPolicyError(e: PolicyError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.message}`;
}

/** Whether a waiver still applies on `today` (YYYY-MM-DD; the expiry day itself included). */
export function waiverActive(w: Waiver, today: string): boolean {
  return today <= w.expires;
}
