// The harden planner (pure: reads through the injected ReadOnlyFs, writes nothing). Given the
// settings to enforce it decides WHERE each one wins and proves it with the evaluator:
// - sshd takes the first value it reads (sshd_config(5)); Debian's main file starts with
//   `Include /etc/ssh/sshd_config.d/*.conf`, so when the main file's first directive includes
//   that directory, the settings go to 00-sshield.conf (glob(3) byte order puts it before
//   cloud-init's 50-cloud-init.conf); otherwise they are inserted in the main file before its first
//   directive, i.e. before any Match (a line after a Match belongs to that Match).
// - a setting already satisfied for every identity it concerns (its `accept`: a stricter
//   MaxAuthTries, a shorter LoginGraceTime) is left alone; a line of our own drop-in that says
//   something else is edited in place (value set), not shadowed by a second line.
// - Match-scoped settings (the PVE cluster exception) go in a `Match <criteria>` block read before
//   any other Match block: at the end of our drop-in (an Include'd file's Match ends with the file:
//   servconf.c parse_server_config_depth restores activep after an Include), else at the end of
//   the main file. In a Match pass the first matching block's value overrides the global one
//   (servconf.c parse_server_match_config + copy_set_server_options, OpenSSH 9.2p1).
// - whatever would override them is commented out: another directive of the same keyword
//   (alias-aware, through the keyword table's opcode) whose value the setting does not accept,
//   wherever it is, a Match block re-enabling it included; and ssh_config-only keywords
//   (ObscureKeystrokeTiming), which are fatal in sshd_config.
// - the candidate tree is re-loaded and evaluated for every connection spec given; each setting
//   must come out accepted for the identities it concerns, else the plan is refused.
// Untouched bytes stay as they were; a second run plans nothing.
import { createTwoFilesPatch } from 'diff';
import type { ReadOnlyFs } from '../host/fs.js';
import type { LoadedHost } from '../host/loaded-host.js';
import { overlayFs } from './candidate.js';
import type { ByteString } from '../text/bytes.js';
import { displayText } from '../text/bytes.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import type { ConfigFile, DirectiveLine } from '../sshd/cst.js';
import { loadConfigTree, type ConfigTree } from '../sshd/include.js';
import { parseSshdConfig } from '../sshd/parser.js';
import { evaluateEffective } from '../sshd/evaluate/evaluate.js';
import type { EvalInput } from '../sshd/evaluate/input.js';
import { itemsOfFile, itemsOfTree } from '../sshd/evaluate/input.js';
import { matchCondition, type Accounts } from '../sshd/evaluate/match.js';
import { matchPattern } from '../sshd/values/pattern.js';
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import type { BuildProfile } from '../sshd/builds/index.js';
import { findKeyword, isClientOnlyKeyword } from '../sshd/keywords/index.js';
import { setDirectiveArgs } from '../sshd/edit.js';
import type { FileChange, GuardVerdict, Plan, PredictedValue, ReloadTarget, VerifyExpectation } from './plan.js';
import { PLAN_VERSION, sha256 } from './plan.js';
import type { Desired } from './settings.js';

export const DROPIN_NAME = '00-sshield.conf';
const COMMENT_PREFIX = '# [sshield] ';

export interface PlanSpec {
  readonly label: string;
  readonly spec: ConnectionSpec;
}

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
  readonly specs: readonly PlanSpec[];
  readonly reload: ReloadTarget;
  readonly verify?: VerifyExpectation;
  readonly guards?: readonly GuardVerdict[];
  /** Directives to comment out (the audit's comment-out remediations), by file and 1-based line. */
  readonly commentOut?: readonly { readonly file: string; readonly line: number; readonly why: string }[];
  /**
   * The loaded host of this config (src/host/loaded-host.ts): its parsed tree is the current one
   * and its candidate() gives the candidate tree, both parsed once per run (the audit of the
   * candidate reads the same memoized view). Without it the tree is loaded from `fs` here.
   */
  readonly host?: Pick<LoadedHost, 'mainPath' | 'tree' | 'input' | 'candidate'>;
}

export type PlanResult = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly reason: string; readonly plan?: Plan };



function opcodeOf(word: string): string | undefined {
  return findKeyword(word)?.opcode;
}

const MATCH_OP = () => findKeyword('Match')?.opcode;

/** The value sshd -T prints for `keyword value` on this build (undefined when it prints none). */
export function normalisedValue(d: Pick<Desired, 'keyword' | 'value'>, build: BuildProfile): { key: string; value: string } | undefined {
  const key = findKeyword(d.keyword)?.dumpKey;
  if (!key) return undefined;
  const f = parseSshdConfig(`${d.keyword} ${d.value}\n`, '/normalise');
  const e = evaluateEffective(itemsOfFile(f), { build });
  const v = e.get(key)?.values;
  return v === undefined || v.length === 0 ? undefined : { key, value: v.join(' ') };
}

/** Whether an effective value (as `sshd -T` prints it, words joined by one space) satisfies the setting. */
export function accepts(d: Desired, got: string | undefined, build: BuildProfile): boolean {
  if (got === undefined) return false;
  const g = got.toLowerCase();
  const a = d.accept ?? { kind: 'exact' };
  switch (a.kind) {
    case 'exact':
      return g === (normalisedValue(d, build)?.value ?? d.value).toLowerCase();
    case 'range': {
      const n = Number(g);
      return /^\d+$/.test(g) && n >= a.min && n <= a.max;
    }
    case 'one-of':
      return a.values.some((v) => g === (normalisedValue({ keyword: d.keyword, value: v }, build)?.value ?? v).toLowerCase());
    case 'covers': {
      const pats = got.split(/\s+/).filter(Boolean);
      return a.names.every((n) => pats.some((p) => matchPattern(n, p)));
    }
  }
}

interface Located {
  readonly file: string;
  readonly line: DirectiveLine;
  /** The criteria of the enclosing Match block (words joined by one space), if any. */
  readonly match?: string;
}

function directivesOf(tree: ConfigTree): Located[] {
  const out: Located[] = [];
  for (const f of tree.files.values()) {
    let match: string | undefined;
    for (const l of f.lines) {
      if (l.kind !== 'directive') continue;
      if (opcodeOf(l.keyword.value) === MATCH_OP()) match = criteriaKey(l.args.map((a) => a.value).join(' '));
      out.push({ file: f.path, line: l, ...(match !== undefined ? { match } : {}) });
    }
  }
  return out;
}

/** Match criteria compared loosely: blanks collapsed, criterion names case-folded by sshd itself. */
function criteriaKey(c: string): string {
  return c.trim().split(/\s+/).join(' ');
}

function scopeKey(d: Desired): string | undefined {
  return d.scope === undefined || d.scope === 'global' ? undefined : criteriaKey(d.scope.match);
}

function eolOf(text: ByteString): ByteString {
  return /\r\n/.test(text.slice(0, 4096)) ? '\r\n' : '\n';
}

/** The value a directive would give, in `sshd -T` form (undefined when the keyword has no -T key). */
function directiveValue(x: Located, d: Desired, build: BuildProfile): string | undefined {
  return normalisedValue({ keyword: d.keyword, value: x.line.args.map((a) => a.value).join(' ') }, build)?.value;
}

export async function planHarden(input: PlanInput): Promise<PlanResult> {
  const sshDir = input.sshDir ?? '/etc/ssh';
  const load = (fs: ReadOnlyFs) => loadConfigTree(fs, input.configPath, { sshDir });
  // The loaded host's own parse when it is of this config (same main file, default sshDir).
  const loaded = input.host && input.host.mainPath === input.configPath && sshDir === '/etc/ssh' ? input.host : undefined;
  const tree = loaded ? loaded.tree : await load(input.fs);
  if (!tree.main) return { ok: false, reason: `cannot read ${input.configPath}` };
  if (tree.fatal) return { ok: false, reason: `sshd would refuse the current configuration: ${tree.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join('; ')}` };
  const specs: { label: string; spec?: ConnectionSpec }[] = [{ label: 'global' }, ...input.specs];
  const evalOpts = (spec?: ConnectionSpec) => ({ build: input.build, ...(spec ? { spec } : {}), ...(input.accounts ? { accounts: input.accounts } : {}) });
  const evalAll = (items: EvalInput) => specs.map((s) => evaluateEffective(items, evalOpts(s.spec)));
  const before = evalAll(loaded ? loaded.input : itemsOfTree(tree));
  const directives = directivesOf(tree);

  // Which identities each setting concerns: a Match-scoped one those its criteria match; a global
  // one everybody else (identities under a Match-scoped setting of the same keyword are its own).
  const inScope = new Map<string, boolean[]>();
  const scoped = (c: string) =>
    inScope.get(c) ??
    inScope.set(c, specs.map((s) => s.spec !== undefined && (() => { const r = matchCondition(c, s.spec, input.accounts, input.build.version); return r.ok && r.value; })())).get(c)!;
  const concerns = (d: Desired): boolean[] => {
    const sk = scopeKey(d);
    if (sk !== undefined) return scoped(sk);
    const op = opcodeOf(d.keyword);
    const others = input.desired.filter((o) => scopeKey(o) !== undefined && opcodeOf(o.keyword) === op).map((o) => scoped(scopeKey(o)!));
    return specs.map((_, i) => !others.some((m) => m[i]));
  };
  // A Match-scoped setting must also be pinned by a Match block (so a later global change cannot take it away).
  const satisfied = (d: Desired, effs: readonly EffectiveConfig[], key: string) =>
    concerns(d).every((c, i) => {
      const e = effs[i]!.get(key);
      return !c || (accepts(d, e?.values.join(' '), input.build) && (scopeKey(d) === undefined || (e?.origin.kind === 'directive' && e.origin.match !== undefined)));
    });

  const needed: Desired[] = [];
  for (const d of input.desired) {
    const op = opcodeOf(d.keyword);
    if (!op) continue;
    const norm = normalisedValue(d, input.build);
    let ok: boolean;
    if (norm) ok = satisfied(d, before, norm.key);
    else {
      // No `sshd -T` key (e.g. DebianBanner on some builds): the first global directive decides.
      const first = directives.find((x) => x.match === undefined && opcodeOf(x.line.keyword.value) === op);
      ok = first !== undefined && first.line.args.map((a) => a.value).join(' ').toLowerCase() === d.value.toLowerCase();
    }
    if (!ok) needed.push(d);
  }

  const hostPathOf = (p: string) => (input.root ? `${input.root.replace(/\/+$/, '')}${p}` : p);
  // Build the candidate; a setting that held before but is lost by another change (the cluster's
  // forwarding once the global AllowTcpForwarding goes to no) is added and the candidate rebuilt.
  let attempt = await buildCandidate(needed);
  for (let round = 0; round < 3 && attempt.lost.length; round++) {
    needed.push(...attempt.lost);
    attempt = await buildCandidate(needed);
  }
  const { changes, candTree, predicted, failures } = attempt;

  async function buildCandidate(needed: Desired[]) {
    const edits = new Map<string, TextEdit[]>();
    const reasons = new Map<string, Set<string>>();
    const addEdit = (file: string, e: TextEdit, why: string) => {
      (edits.get(file) ?? edits.set(file, []).get(file)!).push(e);
      (reasons.get(file) ?? reasons.set(file, new Set()).get(file)!).add(why);
    };
    const handled = new Set<DirectiveLine>();
    const commentOut = (x: Located, why: string) => {
      if (handled.has(x.line)) return;
      handled.add(x.line);
      addEdit(x.file, { start: x.line.start, end: x.line.start, text: COMMENT_PREFIX }, why);
    };
    const setInPlace = (x: Located, d: Desired) => {
      handled.add(x.line);
      const f = tree.files.get(x.file)!;
      for (const e of setDirectiveArgs(f, x.line, d.value.split(/\s+/))) addEdit(x.file, e, d.rule);
    };

    for (const c of input.commentOut ?? []) {
      const x = directives.find((y) => y.file === c.file && y.line.line === c.line);
      if (x) commentOut(x, c.why);
    }
    // ssh_config-only keywords are fatal in sshd_config: always remove them.
    for (const x of directives) if (isClientOnlyKeyword(x.line.keyword.value)) commentOut(x, `${x.line.keyword.value} is a client option; sshd refuses to start with it`);

    // Where the values win.
    const main = tree.main!;
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
    const ours = includesDropDirFirst ? dropInPath : main.path;
    const existingOurs = tree.files.get(ours);
    const newFiles = new Map<string, ByteString>();
    const globalNeeded = needed.filter((d) => scopeKey(d) === undefined);
    const matchNeeded = needed.filter((d) => scopeKey(d) !== undefined);
    const eol = existingOurs ? eolOf(existingOurs.text) : '\n';
    const ownDirectives = directives.filter((x) => x.file === ours);

    // Global settings: in our drop-in, set an existing line in place; otherwise insert before the
    // first Match of the file that wins (our drop-in, or the main file's first directive).
    const globalLines: string[] = [];
    for (const d of globalNeeded) {
      const op = opcodeOf(d.keyword);
      const mine = includesDropDirFirst ? ownDirectives.filter((x) => x.match === undefined && opcodeOf(x.line.keyword.value) === op) : [];
      if (mine[0]) setInPlace(mine[0], d);
      else globalLines.push(`${d.keyword} ${d.value}`);
    }
    // Match-scoped settings: grouped per criteria, into an existing identical block of ours or a new one at the end.
    const blocks = new Map<string, Desired[]>();
    for (const d of matchNeeded) (blocks.get(scopeKey(d)!) ?? blocks.set(scopeKey(d)!, []).get(scopeKey(d)!)!).push(d);
    const appendBlocks: string[] = [];
    for (const [criteria, ds] of blocks) {
      const matchLine = ownDirectives.find((x) => opcodeOf(x.line.keyword.value) === MATCH_OP() && x.match === criteria);
      const inBlock = matchLine ? ownDirectives.filter((x) => x.match === criteria && x.line !== matchLine.line) : [];
      const fresh: string[] = [];
      for (const d of ds) {
        const x = inBlock.find((y) => opcodeOf(y.line.keyword.value) === opcodeOf(d.keyword));
        if (x) setInPlace(x, d);
        else fresh.push(`\t${d.keyword} ${d.value}`);
      }
      if (!fresh.length) continue;
      if (matchLine) addEdit(ours, { start: matchLine.line.end, end: matchLine.line.end, text: (matchLine.line.eol === '' ? eol : '') + fresh.map((l) => l + eol).join('') }, 'cluster exception');
      else appendBlocks.push(`Match ${criteria}${eol}${fresh.map((l) => l + eol).join('')}`);
    }
    if (globalLines.length || appendBlocks.length) {
      if (ours === dropInPath && !existingOurs) {
        newFiles.set(dropInPath, `# Managed by sshield harden: read first (Include at the top of ${input.configPath}), so these values win.\n${globalLines.map((l) => `${l}\n`).join('')}${appendBlocks.join('')}`);
      } else {
        const f = existingOurs!;
        if (globalLines.length) {
          const firstMatch = ours === dropInPath ? f.lines.find((l) => l.kind === 'directive' && opcodeOf(l.keyword.value) === MATCH_OP()) : firstDirective;
          const at = firstMatch ? firstMatch.start : f.text.length;
          const pre = at > 0 && !f.text.slice(0, at).endsWith('\n') ? eol : '';
          const head = ours === dropInPath ? '' : `# sshield harden: these come first so they win (first value wins, sshd_config(5))${eol}`;
          addEdit(ours, { start: at, end: at, text: `${pre}${head}${globalLines.map((l) => l + eol).join('')}` }, 'settings');
        }
        if (appendBlocks.length) {
          const pre = f.text.length > 0 && !f.text.endsWith('\n') ? eol : '';
          addEdit(ours, { start: f.text.length, end: f.text.length, text: `${pre}${appendBlocks.join('')}` }, 'cluster exception');
        }
      }
    }

    // Neutralise every other directive of a needed keyword whose value the setting that governs it
    // does not accept: in a Match block with a setting's own criteria, that setting; elsewhere the global one.
    for (const x of directives) {
      if (handled.has(x.line) || isClientOnlyKeyword(x.line.keyword.value)) continue;
      const op = opcodeOf(x.line.keyword.value);
      const own = x.match === undefined ? undefined : input.desired.find((d) => opcodeOf(d.keyword) === op && scopeKey(d) === x.match);
      const governing = own ?? needed.find((d) => opcodeOf(d.keyword) === op && scopeKey(d) === undefined);
      if (!governing || !needed.includes(governing)) continue;
      const v = directiveValue(x, governing, input.build) ?? x.line.args.map((a) => a.value).join(' ');
      if (accepts(governing, v, input.build)) continue;
      commentOut(x, `${governing.keyword} ${x.match !== undefined ? 'in a Match block ' : ''}would override ${governing.keyword} ${governing.value}`);
    }

    // Candidate texts.
    const over = new Map<string, ByteString | null>();
    const changes: FileChange[] = [];
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


    // Prove it: the candidate tree must give every setting an accepted value for every identity it concerns.
    const cand = loaded ? await loaded.candidate(over) : undefined;
    const candTree = cand ? cand.tree : await load(overlayFs(input.fs, over));
    const after = evalAll(cand ? cand.input : itemsOfTree(candTree));
    const predicted: PredictedValue[] = [];
    const failures: string[] = [];
    const lost: Desired[] = [];
    for (const [i, s] of specs.entries()) {
      const e = after[i]!;
      if (!e.ok) failures.push(`the result would not load (${s.label}): ${e.diagnostics.map((d) => d.message).join('; ')}`);
    }
    if (!failures.length) {
      for (const d of input.desired) {
        const norm = normalisedValue(d, input.build);
        if (!norm) continue;
        const c = concerns(d);
        for (const [i, s] of specs.entries()) {
          // Every identity's value of every planned key is predicted (validate.ts checks them all
          // against sshd -T -C); only the identities a setting concerns must accept it.
          const got = after[i]!.get(norm.key)?.values ?? [];
          if (!predicted.some((p) => p.key === norm.key && p.label === s.label)) predicted.push({ key: norm.key, values: got, label: s.label, ...(s.spec ? { spec: s.spec } : {}) });
          if (!c[i]) continue;
          if (!accepts(d, got.join(' '), input.build) && !needed.includes(d)) { if (!lost.includes(d)) lost.push(d); }
          else if (!accepts(d, got.join(' '), input.build)) failures.push(`${d.keyword} would be "${got.join(' ')}" instead of "${norm.value}" for ${s.label}`);
        }
      }
    }

    return { changes, candTree, predicted, failures, lost };
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
    remediated: [...new Set(needed.map((d) => d.rule))],
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

export function fileChange(path: string, hostPath: string, before: ByteString | null, after: ByteString, edits: TextEdit[], reasons: string[]): FileChange {
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

export type { ConfigFile };
export { candidateFiles, candidateFs, overlayFs } from './candidate.js';
