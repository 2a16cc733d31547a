// Scan profiles: how strict grading is. Versioned data (published versions never change) plus
// the loader for a profile file (YAML or JSON) that extends a built-in one. Set semantics only:
// a profile says which names are allowed or how bad they are, never in which order.
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { parse as parseYaml } from 'yaml';
import type { AlgorithmCategory, Verdict } from './algorithms.js';

export type Level = 'fail' | 'warn' | 'info' | 'off';

export interface ScanProfile {
  readonly name: string;
  readonly version: number;
  /** Level of a finding for an offered algorithm of each verdict. */
  readonly levels: { readonly broken: Level; readonly weak: Level; readonly unknown: Level };
  /** Per-name verdict overrides, e.g. make diffie-hellman-group14-sha256 'good' for old clients. */
  readonly verdicts: Partial<Record<AlgorithmCategory, Readonly<Record<string, Verdict>>>>;
  /** Allow-lists: when set for a category, any other offered name is a `broken`-level finding. */
  readonly allow: Partial<Record<AlgorithmCategory, readonly string[]>>;
  readonly terrapin: Level;
  readonly passwordOffered: Level;
  /** No post-quantum hybrid kex offered at all. */
  readonly noPqKex: Level;
  readonly minRsaBits: number;
  readonly knownCve: Level;
}

export const BUILTIN_PROFILES: Readonly<Record<string, ScanProfile>> = {
  default: {
    name: 'default',
    version: 1,
    levels: { broken: 'fail', weak: 'warn', unknown: 'info' },
    verdicts: {},
    allow: {},
    terrapin: 'fail',
    passwordOffered: 'fail',
    noPqKex: 'info',
    minRsaBits: 3072,
    knownCve: 'fail',
  },
  strict: {
    name: 'strict',
    version: 1,
    levels: { broken: 'fail', weak: 'fail', unknown: 'warn' },
    verdicts: {},
    allow: {},
    terrapin: 'fail',
    passwordOffered: 'fail',
    noPqKex: 'warn',
    minRsaBits: 3072,
    knownCve: 'fail',
  },
  /** For sites that must keep old clients working: only broken algorithms fail. */
  compat: {
    name: 'compat',
    version: 1,
    levels: { broken: 'fail', weak: 'info', unknown: 'off' },
    verdicts: {},
    allow: {},
    terrapin: 'warn',
    passwordOffered: 'warn',
    noPqKex: 'off',
    minRsaBits: 2048,
    knownCve: 'fail',
  },
};

const LevelSchema = v.picklist(['fail', 'warn', 'info', 'off']);
const Names = v.array(v.string());
const Cats = <T extends v.GenericSchema>(s: T) => v.optional(v.strictObject({ kex: v.optional(s), hostKey: v.optional(s), cipher: v.optional(s), mac: v.optional(s) }));
const ProfileFileSchema = v.strictObject({
  name: v.optional(v.string()),
  version: v.optional(v.number()),
  extends: v.optional(v.picklist(Object.keys(BUILTIN_PROFILES) as [string, ...string[]])),
  levels: v.optional(v.strictObject({ broken: v.optional(LevelSchema), weak: v.optional(LevelSchema), unknown: v.optional(LevelSchema) })),
  verdicts: Cats(v.record(v.string(), v.picklist(['good', 'weak', 'broken']))),
  allow: Cats(Names),
  terrapin: v.optional(LevelSchema),
  passwordOffered: v.optional(LevelSchema),
  noPqKex: v.optional(LevelSchema),
  minRsaBits: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  knownCve: v.optional(LevelSchema),
});

export type ProfileResult = { readonly kind: 'ok'; readonly profile: ScanProfile } | { readonly kind: 'error'; readonly message: string };

/** Parses profile file text (YAML, of which JSON is a subset). */
export function parseProfileText(text: string, file: string): ProfileResult {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    return { kind: 'error', message: `${file}: not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}` };
  }
  const r = v.safeParse(ProfileFileSchema, data);
  if (!r.success) {
    const issue = r.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '(top level)';
    return { kind: 'error', message: `${file}: ${path}: ${issue.message}` };
  }
  const p = r.output;
  const base = BUILTIN_PROFILES[p.extends ?? 'default']!;
  return {
    kind: 'ok',
    profile: {
      name: p.name ?? file,
      version: p.version ?? 1,
      levels: { ...base.levels, ...p.levels },
      verdicts: { ...base.verdicts, ...p.verdicts },
      allow: { ...base.allow, ...p.allow },
      terrapin: p.terrapin ?? base.terrapin,
      passwordOffered: p.passwordOffered ?? base.passwordOffered,
      noPqKex: p.noPqKex ?? base.noPqKex,
      minRsaBits: p.minRsaBits ?? base.minRsaBits,
      knownCve: p.knownCve ?? base.knownCve,
    },
  };
}

/** A built-in profile name, or a path to a profile file. Reads the file (CLI edge helper). */
export function loadProfile(nameOrFile: string): ProfileResult {
  const builtin = Object.hasOwn(BUILTIN_PROFILES, nameOrFile) ? BUILTIN_PROFILES[nameOrFile] : undefined;
  if (builtin) return { kind: 'ok', profile: builtin };
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { kind: 'error', message: code === 'ENOENT' ? `unknown profile "${nameOrFile}": not a built-in profile (${Object.keys(BUILTIN_PROFILES).join(', ')}) and no such file` : `${nameOrFile}: ${(e as Error).message}` };
  }
  if (text.length > 1024 * 1024) return { kind: 'error', message: `${nameOrFile}: profile file larger than 1 MiB` };
  return parseProfileText(text, nameOrFile);
}
