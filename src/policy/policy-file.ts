// Policy files (YAML): extend a built-in profile, switch rules on/off, set rule options, waive a
// rule with a reason and an expiry date. Parsed with `yaml` (keeping node ranges) and validated
// with valibot plus the rules' own option specs; every problem names file:line:col. Pure: the
// caller reads the file.
import * as v from 'valibot';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import { getRule } from '../rules/registry.js';
import type { OptionSpec, OptionValues } from '../rules/types.js';
import { PROFILES, isBuiltinProfile, type Profile, type RuleSetting } from './profiles.js';

export interface Waiver {
  readonly rule: string;
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

const RuleEntry = v.union([
  v.picklist(['on', 'off']),
  v.boolean(),
  v.strictObject({ enabled: v.optional(v.boolean()), options: v.optional(v.record(v.string(), v.unknown())) }),
]);

const PolicySchema = v.strictObject({
  extends: v.optional(v.string()),
  rules: v.optional(v.record(v.string(), RuleEntry)),
  waivers: v.optional(
    v.array(
      v.strictObject({
        rule: v.string(),
        reason: v.pipe(v.string(), v.minLength(1, 'a waiver needs a reason')),
        expires: v.pipe(v.union([v.string(), v.date()]), v.transform((d) => (d instanceof Date ? d.toISOString().slice(0, 10) : d)), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'expires must be a date YYYY-MM-DD')),
      }),
    ),
  ),
});

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

/** Parses and validates a policy file's text. */
export function parsePolicy(text: string, file: string): { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const errors: PolicyError[] = [];
  const at = (offset: number | undefined, message: string) => {
    const p = lc.linePos(offset ?? 0);
    errors.push({ file, line: p.line, column: p.col, message });
  };
  for (const e of doc.errors) at(e.pos[0], e.message.split('\n')[0]!);
  if (errors.length > 0) return { ok: false, errors };
  const nodeAt = (path: readonly (string | number)[]): Node | undefined => {
    let n: unknown = doc.contents;
    for (const k of path) {
      if (isMap(n)) n = n.get(k, true);
      else if (isSeq(n)) n = n.get(Number(k), true);
      else return undefined;
    }
    return n as Node | undefined;
  };
  const keyAt = (path: readonly (string | number)[]): Node | undefined => {
    const parent = nodeAt(path.slice(0, -1));
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
    return (pair?.key as Node | undefined) ?? undefined;
  };
  const offsetOf = (path: readonly (string | number)[]) => (nodeAt(path) ?? keyAt(path))?.range?.[0];
  const raw = doc.toJS() ?? {};
  const parsed = v.safeParse(PolicySchema, raw);
  if (!parsed.success) {
    for (const issue of parsed.issues) {
      const path = (issue.path ?? []).map((p) => p.key as string | number);
      const unknownKey = issue.kind === 'schema' && issue.type === 'strict_object';
      at(unknownKey ? keyAt(path)?.range?.[0] ?? offsetOf(path) : offsetOf(path), unknownKey ? `unknown key "${String(path[path.length - 1])}"` : `${path.length ? `${path.join('.')}: ` : ''}${issue.message}`);
    }
    return { ok: false, errors };
  }
  const p = parsed.output;
  const baseName = p.extends ?? 'baseline';
  if (!isBuiltinProfile(baseName)) {
    at(offsetOf(['extends']), `unknown profile "${baseName}" (built-in: baseline, proxmox, strict)`);
    return { ok: false, errors };
  }
  const base = PROFILES[baseName];
  const rules: Record<string, RuleSetting> = { ...base.rules };
  for (const [id, entry] of Object.entries(p.rules ?? {})) {
    const rule = getRule(id);
    if (!rule) {
      at(keyAt(['rules', id])?.range?.[0] ?? offsetOf(['rules', id]), `unknown rule "${id}"`);
      continue;
    }
    const prev = rules[id] ?? { enabled: false };
    if (entry === 'on' || entry === true) rules[id] = { ...prev, enabled: true };
    else if (entry === 'off' || entry === false) rules[id] = { ...prev, enabled: false };
    else {
      const opts: Record<string, OptionValues[string]> = { ...(prev.options ?? {}) };
      for (const [k, val] of Object.entries(entry.options ?? {})) {
        const spec = rule.meta.options?.[k];
        const problem = spec ? checkOption(k, spec, val) : `rule ${id} has no option "${k}"`;
        if (problem) at(offsetOf(['rules', id, 'options', k]), problem);
        else opts[k] = val as OptionValues[string];
      }
      rules[id] = { enabled: entry.enabled ?? true, options: opts };
    }
  }
  const waivers: Waiver[] = [];
  (p.waivers ?? []).forEach((w, i) => {
    if (!getRule(w.rule)) at(offsetOf(['waivers', i, 'rule']), `unknown rule "${w.rule}"`);
    else if (Number.isNaN(Date.parse(w.expires))) at(offsetOf(['waivers', i, 'expires']), `invalid date "${w.expires}"`);
    else waivers.push({ rule: w.rule, reason: w.reason, expires: w.expires });
  });
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
