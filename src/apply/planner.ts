// The harden planner (pure: reads through the injected ReadOnlyFs, writes nothing). Given the
// settings to enforce it decides WHERE each one wins and proves it with the evaluator:
// - sshd takes the first value it reads (sshd_config(5)); Debian's main file starts with
//   `Include /etc/ssh/sshd_config.d/*.conf`, so when the main file's first directive includes
//   that directory, the settings go to 00-sshield.conf (glob(3) byte order puts it before
//   cloud-init's 50-cloud-init.conf); otherwise they are inserted in the main file before its first
//   directive, i.e. before any Match (a line after a Match belongs to that Match).
// - whatever would override them is commented out: another directive of the same keyword
//   (alias-aware, through the keyword table's opcode) with a different value, wherever it is, a
//   Match block re-enabling it included; and ssh_config-only keywords (ObscureKeystrokeTiming),
//   which are fatal in sshd_config.
// - the candidate tree is re-loaded and evaluated for every connection spec given; each setting
//   must come out as intended, else the plan is refused. Untouched bytes stay as they were.
// A setting already in effect everywhere produces no edit, so a second run plans nothing.
import { createTwoFilesPatch } from 'diff';
import type { FileStat, ReadOnlyFs, ReadResult } from '../host/fs.js';
import type { ByteString } from '../text/bytes.js';
import { displayText } from '../text/bytes.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import type { DirectiveLine } from '../sshd/cst.js';
import { loadConfigTree, type ConfigTree } from '../sshd/include.js';
import { parseSshdConfig } from '../sshd/parser.js';
import { evaluateEffective } from '../sshd/evaluate/evaluate.js';
import type { EvalItem } from '../sshd/evaluate/input.js';
import { itemsOfFile } from '../sshd/evaluate/input.js';
import type { Accounts } from '../sshd/evaluate/match.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import type { BuildProfile } from '../sshd/builds/index.js';
import { findKeyword, isClientOnlyKeyword } from '../sshd/keywords/index.js';
import type { FileChange, GuardVerdict, Plan, PredictedValue, ReloadTarget, VerifyExpectation } from './plan.js';
import { PLAN_VERSION, sha256 } from './plan.js';
import type { Desired } from './settings.js';

export const DROPIN_NAME = '00-sshield.conf';
const COMMENT_PREFIX = '# [sshield] ';

export interface PlanInput {
  /** The config as sshd sees it (an offline root's view for --root). */
  readonly fs: ReadOnlyFs;
  readonly configPath: string;
  /** Offline root directory: host paths are root + path. */
  readonly root?: string;
  readonly sshDir?: string;
  readonly desired: readonly Desired[];
  readonly build: BuildProfile;
  readonly accounts?: Accounts;
  /** Identities to prove the result for, besides the global one (no -C). */
  readonly specs: readonly { readonly label: string; readonly spec: ConnectionSpec }[];
  readonly reload: ReloadTarget;
  readonly verify?: VerifyExpectation;
  readonly guards?: readonly GuardVerdict[];
}

export type PlanResult = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly reason: string; readonly plan?: Plan };

export function treeToItems(tree: ConfigTree): EvalItem[] {
  const out: EvalItem[] = [];
  for (const it of tree.items) {
    if (it.kind === 'enter') {
      if (it.depth > 0) out.push({ kind: 'enter', file: it.file.path });
    } else if (it.kind === 'leave') {
      if (it.depth > 0) out.push({ kind: 'leave', file: it.file.path });
    } else if (it.kind === 'line') {
      if (it.line.kind === 'directive') out.push({ kind: 'directive', file: it.file.path, line: it.line });
      else if (it.line.kind === 'invalid') out.push({ kind: 'invalid', file: it.file.path, line: it.line });
    } else out.push({ kind: 'diagnostic', diagnostic: it.diagnostic });
  }
  return out;
}

/** A view of `fs` in which some files have new text (or are deleted: null). */
export function overlayFs(fs: ReadOnlyFs, over: ReadonlyMap<string, ByteString | null>): ReadOnlyFs {
  const fileStat = (size: number): FileStat => ({ kind: 'file', size, mode: 0o644, uid: 0, gid: 0, mtimeMs: 0 });
  return {
    label: fs.label,
    readFile: async (p, max): Promise<ReadResult> => {
      if (over.has(p)) {
        const t = over.get(p);
        return t === null || t === undefined ? { ok: false, reason: 'missing', detail: `${p}: no such file` } : { ok: true, bytes: Buffer.from(t, 'latin1') };
      }
      return fs.readFile(p, max);
    },
    readDir: async (p) => {
      const base = (await fs.readDir(p)) ?? undefined;
      const names = new Set(base ?? []);
      let touched = false;
      for (const [path, t] of over) {
        if (path.slice(0, path.lastIndexOf('/')) !== p) continue;
        touched = true;
        const n = path.slice(path.lastIndexOf('/') + 1);
        if (t === null) names.delete(n);
        else names.add(n);
      }
      return base || touched ? [...names] : undefined;
    },
    lstat: async (p) => (over.has(p) ? (over.get(p) === null ? undefined : fileStat(over.get(p)!.length)) : fs.lstat(p)),
    stat: async (p) => (over.has(p) ? (over.get(p) === null ? undefined : fileStat(over.get(p)!.length)) : fs.stat(p)),
    readLink: (p) => fs.readLink(p),
    realPath: async (p) => (over.has(p) ? (over.get(p) === null ? undefined : p) : fs.realPath(p)),
  };
}

function opcodeOf(word: string): string | undefined {
  return findKeyword(word)?.opcode;
}

/** The value sshd -T prints for `keyword value` on this build (undefined when it prints none). */
export function normalisedValue(d: Desired, build: BuildProfile): { key: string; value: string } | undefined {
  const key = findKeyword(d.keyword)?.dumpKey;
  if (!key) return undefined;
  const f = parseSshdConfig(`${d.keyword} ${d.value}\n`, '/normalise');
  const e = evaluateEffective(itemsOfFile(f), { build });
  const v = e.get(key)?.values[0];
  return v === undefined ? undefined : { key, value: v };
}

interface Located {
  readonly file: string;
  readonly line: DirectiveLine;
  readonly inMatch: boolean;
}

function directivesOf(tree: ConfigTree): Located[] {
  const out: Located[] = [];
  for (const f of tree.files.values()) {
    let inMatch = false;
    for (const l of f.lines) {
      if (l.kind !== 'directive') continue;
      if (opcodeOf(l.keyword.value) === findKeyword('Match')?.opcode) inMatch = true;
      out.push({ file: f.path, line: l, inMatch });
    }
  }
  return out;
}

function eolOf(text: ByteString): ByteString {
  return /\r\n/.test(text.slice(0, 4096)) ? '\r\n' : '\n';
}

export async function planHarden(input: PlanInput): Promise<PlanResult> {
  const sshDir = input.sshDir ?? '/etc/ssh';
  const load = (fs: ReadOnlyFs) => loadConfigTree(fs, input.configPath, { sshDir });
  const tree = await load(input.fs);
  if (!tree.main) return { ok: false, reason: `cannot read ${input.configPath}` };
  if (tree.fatal) return { ok: false, reason: `sshd would refuse the current configuration: ${tree.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join('; ')}` };
  const items = treeToItems(tree);
  const specs: { label: string; spec?: ConnectionSpec }[] = [{ label: 'global' }, ...input.specs];
  const evalOpts = (spec?: ConnectionSpec) => ({ build: input.build, ...(spec ? { spec } : {}), ...(input.accounts ? { accounts: input.accounts } : {}) });
  const before = specs.map((s) => evaluateEffective(items, evalOpts(s.spec)));
  const directives = directivesOf(tree);

  // Which settings are not yet in effect for every identity (or, without a -T key, in the files).
  const needed: Desired[] = [];
  for (const d of input.desired) {
    const norm = normalisedValue(d, input.build);
    const op = opcodeOf(d.keyword);
    if (!op) continue;
    let ok: boolean;
    if (norm) ok = before.every((e) => e.value(norm.key)?.toLowerCase() === norm.value.toLowerCase());
    else {
      const first = directives.find((x) => !x.inMatch && opcodeOf(x.line.keyword.value) === op);
      ok = first !== undefined && first.line.args[0]?.value.toLowerCase() === d.value.toLowerCase();
    }
    if (!ok) needed.push(d);
  }

  const edits = new Map<string, TextEdit[]>();
  const reasons = new Map<string, Set<string>>();
  const addEdit = (file: string, e: TextEdit, why: string) => {
    (edits.get(file) ?? edits.set(file, []).get(file)!).push(e);
    (reasons.get(file) ?? reasons.set(file, new Set()).get(file)!).add(why);
  };
  const commentOut = (x: Located, why: string) => addEdit(x.file, { start: x.line.start, end: x.line.start, text: COMMENT_PREFIX }, why);

  // ssh_config-only keywords are fatal in sshd_config: always remove them.
  for (const x of directives) if (isClientOnlyKeyword(x.line.keyword.value)) commentOut(x, `${x.line.keyword.value} is a client option; sshd refuses to start with it`);

  // Where the values win.
  const main = tree.main;
  const firstDirective = main.lines.find((l): l is DirectiveLine => l.kind === 'directive');
  const dropDir = `${input.configPath.slice(0, input.configPath.lastIndexOf('/'))}/sshd_config.d`;
  const includesDropDirFirst =
    firstDirective !== undefined &&
    opcodeOf(firstDirective.keyword.value) === findKeyword('Include')?.opcode &&
    firstDirective.args.some((a) => {
      const p = a.value.startsWith('/') ? a.value : `${sshDir}/${a.value}`;
      return p === `${dropDir}/*.conf`;
    });
  const dropInPath = `${dropDir}/${DROPIN_NAME}`;
  const newFiles = new Map<string, ByteString>();

  if (needed.length) {
    const lines = needed.map((d) => `${d.keyword} ${d.value}`);
    if (includesDropDirFirst) {
      const existing = tree.files.get(dropInPath);
      if (existing) {
        const eol = eolOf(existing.text);
        const firstMatch = existing.lines.find((l) => l.kind === 'directive' && opcodeOf(l.keyword.value) === findKeyword('Match')?.opcode);
        const at = firstMatch ? firstMatch.start : existing.text.length;
        const pre = at > 0 && !existing.text.slice(0, at).endsWith('\n') ? eol : '';
        addEdit(dropInPath, { start: at, end: at, text: pre + lines.map((l) => l + eol).join('') }, 'settings');
      } else {
        newFiles.set(dropInPath, `# Managed by sshield harden: read first (Include at the top of ${input.configPath}), so these values win.\n${lines.map((l) => `${l}\n`).join('')}`);
      }
    } else {
      const eol = eolOf(main.text);
      const at = firstDirective ? firstDirective.start : main.text.length;
      const pre = at > 0 && !main.text.slice(0, at).endsWith('\n') ? eol : '';
      addEdit(main.path, { start: at, end: at, text: `${pre}# sshield harden: these come first so they win (first value wins, sshd_config(5))${eol}${lines.map((l) => l + eol).join('')}` }, 'settings');
    }
    // Neutralise every other directive of a needed keyword that says something else.
    for (const d of needed) {
      const op = opcodeOf(d.keyword);
      for (const x of directives) {
        if (x.file === dropInPath || opcodeOf(x.line.keyword.value) !== op) continue;
        if (isClientOnlyKeyword(x.line.keyword.value)) continue;
        if (x.line.args.map((a) => a.value.toLowerCase()).join(' ') === d.value.toLowerCase()) continue;
        commentOut(x, `${d.keyword} ${x.inMatch ? 'in a Match block ' : ''}would override ${d.keyword} ${d.value}`);
      }
    }
  }

  // Candidate texts.
  const over = new Map<string, ByteString | null>();
  const changes: FileChange[] = [];
  const hostPathOf = (p: string) => (input.root ? `${input.root.replace(/\/+$/, '')}${p}` : p);
  for (const [path, es] of edits) {
    const f = tree.files.get(path)!;
    const uniq = dedupe(es);
    const after = applyEdits(f.text, uniq);
    if (after === f.text) continue;
    over.set(path, after);
    changes.push(fileChange(path, hostPathOf(path), f.text, after, uniq, [...(reasons.get(path) ?? [])]));
  }
  for (const [path, text] of newFiles) {
    over.set(path, text);
    changes.push(fileChange(path, hostPathOf(path), null, text, [], needed.map((d) => d.rule)));
  }

  // Prove it: the candidate tree must give every setting the intended value for every identity.
  const candTree = await load(overlayFs(input.fs, over));
  const candItems = treeToItems(candTree);
  const predicted: PredictedValue[] = [];
  const failures: string[] = [];
  for (const s of specs) {
    const e = evaluateEffective(candItems, evalOpts(s.spec));
    if (!e.ok) {
      failures.push(`the result would not load (${s.label}): ${e.diagnostics.map((d) => d.message).join('; ')}`);
      continue;
    }
    for (const d of input.desired) {
      const norm = normalisedValue(d, input.build);
      if (!norm) continue;
      const got = e.get(norm.key)?.values ?? [];
      predicted.push({ key: norm.key, values: got, label: s.label, ...(s.spec ? { spec: s.spec } : {}) });
      if ((got[0] ?? '').toLowerCase() !== norm.value.toLowerCase()) failures.push(`${d.keyword} would be "${got.join(' ')}" instead of "${norm.value}" for ${s.label}`);
    }
  }
  const tree2 = [...candTree.files.keys()].map((p) => ({ path: p, hostPath: hostPathOf(p) }));
  const plan: Plan = {
    version: PLAN_VERSION,
    kind: 'harden',
    configPath: input.configPath,
    ...(input.root !== undefined ? { root: input.root } : {}),
    files: changes,
    tree: tree2,
    predicted: changes.length ? predicted : [],
    guards: input.guards ?? [],
    remediated: needed.map((d) => d.rule),
    notes: [],
    reload: input.reload,
    ...(input.verify ? { verify: input.verify } : {}),
  };
  if (failures.length) return { ok: false, reason: `the planned change would not take effect: ${failures.join('; ')}`, plan };
  return { ok: true, plan };
}

function dedupe(es: readonly TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return es.filter((e) => {
    const k = `${e.start}:${e.end}:${e.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function fileChange(path: string, hostPath: string, before: ByteString | null, after: ByteString, edits: TextEdit[], reasons: string[]): FileChange {
  return {
    path,
    hostPath,
    action: 'write',
    beforeSha256: before === null ? null : sha256(before),
    before: before ?? '',
    after,
    edits,
    diff: createTwoFilesPatch(before === null ? '/dev/null' : path, path, displayText(before ?? ''), displayText(after), '', '', { context: 3 }),
    newFileMode: 0o644,
    reasons,
  };
}
