// loadConfigTree: reads the main sshd_config and everything it Includes through an injected
// ReadOnlyFs, and lays out the lines exactly in the order OpenSSH 9.2p1 processes them
// (servconf.c parse_server_config_depth, the sInclude case, load_server_config). It does not
// evaluate anything: Match state, flags and values are the evaluator's (src/sshd/evaluate).
//
// THE ITEM SEQUENCE (what the evaluator replays; `items` = the start-up pass with no
// connection, `matchItems` = the "reprocess config" pass of sshd -T -C / a connection, which
// sshd serves only from its include cache):
//   { kind: 'enter', file, depth, include? }  parse_server_config_depth() starts on `file`.
//       depth 0 = main file. `include` is absent for the main file, else the Include site:
//       { file, line (the Include DirectiveLine), arg (the argument Token), selector (the glob
//       sshd uses: relative args are prefixed with `${sshDir}/`), cached (served from the
//       include cache rather than a fresh glob) }.
//       Evaluator: at the first 'enter' of a given Include line, save oactive = *activep; the
//       included file's flags are (includingFlags & MATCH_ONLY) ? MATCH_ONLY
//       : (oactive ? 0 : NEVERMATCH); each included file starts with *activep unchanged.
//   { kind: 'line', file, line, depth }  one ConfigLine handed to process_server_config_line.
//       Every line of every file appears, including blanks/comments/invalid lines. An Include
//       directive's 'line' item comes BEFORE the enter/leave items of the files it pulls in.
//   { kind: 'leave', file, depth, include? }  end of that file: sshd now fatals with
//       "terminating, N bad configuration options" if any line of THIS file (not of its
//       includes) was a bad option. Evaluator: after each 'leave' with an `include`, restore
//       *activep = oactive of that Include line.
//   { kind: 'error', diagnostic, effect }  an Include problem at the current position.
//       effect 'bad-option': counts as one bad option of the current file (sshd error() + return
//       -1; e.g. an empty Include argument, after which sshd skips the rest of that line);
//       effect 'fatal': sshd exits here (fatal() or exit(1)); no items follow.
// A 'fatal' also ends the tree: `fatal` is set and `matchItems` is empty.
//
// Include semantics reproduced (servconf.c 9.2p1, sInclude): several arguments per line, each
// handled in turn; relative -> `${sshDir}/${arg}` (args starting with '/' or '~' are used as
// is; glob() has no tilde expansion, so '~' is literal and relative to the working directory,
// taken as "/"); glob(3) with flags 0 (see ./glob.ts); no match = nothing, silently; the cache
// keyed by the selector string, filled after each file is parsed (so the same glob included
// twice replays the same files, and a file including its own glob recurses); depth limit
// SERVCONF_MAX_DEPTH 16 ("Too many recursive configuration includes", reported as
// INCLUDE_DEPTH plus INCLUDE_LOOP naming the cycle when a file repeats); an included file that
// cannot be opened is fatal in load_server_config (perror + exit 1): UNREADABLE_FILE naming the
// including file:line; a matched directory reads as empty (fopen succeeds, getline fails).
// Keyword comparison: parse_token() uses strcasecmp, so "include" is matched case-insensitively.
import type { ReadOnlyFs } from '../host/fs.js';
import { type ByteString, bytesToText, displayText } from '../text/bytes.js';
import type { ConfigFile, ConfigLine, DirectiveLine, Token } from './cst.js';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import { globPaths } from './glob.js';
import { parseSshdConfig } from './parser.js';

export interface IncludeSite {
  readonly file: ConfigFile;
  readonly line: DirectiveLine;
  readonly arg: Token;
  readonly selector: ByteString;
  readonly cached: boolean;
}

export type ReadItem =
  | { readonly kind: 'enter'; readonly file: ConfigFile; readonly depth: number; readonly include?: IncludeSite }
  | { readonly kind: 'line'; readonly file: ConfigFile; readonly line: ConfigLine; readonly depth: number }
  | { readonly kind: 'leave'; readonly file: ConfigFile; readonly depth: number; readonly include?: IncludeSite }
  | { readonly kind: 'error'; readonly diagnostic: Diagnostic; readonly effect: 'bad-option' | 'fatal' };

export interface ConfigTree {
  /** The main file, undefined when it could not be read (then `fatal` is true). */
  readonly main: ConfigFile | undefined;
  /** Every file read, by path, in first-read order. */
  readonly files: ReadonlyMap<string, ConfigFile>;
  /** Start-up pass (no connection): the order sshd reads lines in. */
  readonly items: readonly ReadItem[];
  /** Connection pass ("reprocess config"), served from the include cache; empty if `fatal`. */
  readonly matchItems: readonly ReadItem[];
  /** Parse diagnostics of every file plus include problems. */
  readonly diagnostics: readonly Diagnostic[];
  /** True when sshd would exit while reading (unreadable file, include depth, ...). */
  readonly fatal: boolean;
}

export interface LoadOptions {
  /** Directory relative Include arguments are resolved against (sshd's SSHDIR). */
  readonly sshDir?: string;
  /**
   * Per-file cap (FILE_TOO_LARGE above it). Default 16 MiB (DEFAULT_CONFIG_CAP): real configs
   * are kilobytes, sshd has no limit, and the CST of a file costs about 25 heap bytes per file
   * byte (10 MB of directives: ~1 s, ~260 MB), so the cap is what bounds time and memory.
   */
  readonly maxFileBytes?: number;
  /** servconf.c SERVCONF_MAX_DEPTH. */
  readonly maxDepth?: number;
  /** Bound on the number of items (exponential include fan-out); default 2,000,000. */
  readonly maxItems?: number;
}

interface CacheEntry {
  readonly selector: ByteString;
  readonly file?: ConfigFile;
}

/** Default per-file cap of loadConfigTree: 16 MiB. */
export const DEFAULT_CONFIG_CAP = 16 * 1024 * 1024;

class Stop extends Error {}

function isInclude(line: ConfigLine): line is DirectiveLine {
  return line.kind === 'directive' && line.keyword.value.length === 7 && line.keyword.value.toLowerCase() === 'include';
}

export async function loadConfigTree(fs: ReadOnlyFs, mainPath: string, opts: LoadOptions = {}): Promise<ConfigTree> {
  const sshDir = (opts.sshDir ?? '/etc/ssh').replace(/\/+$/, '');
  const maxBytes = opts.maxFileBytes ?? DEFAULT_CONFIG_CAP;
  const maxDepth = opts.maxDepth ?? 16;
  const maxItems = opts.maxItems ?? 2_000_000;
  const files = new Map<string, ConfigFile>();
  const diagnostics: Diagnostic[] = [];
  const cache: CacheEntry[] = [];

  const diag = (code: DiagnosticCode, message: string, at: { file: string; line: number; column: number }, hint?: string): Diagnostic => {
    const d: Diagnostic = { code, severity: 'error', message, ...(hint ? { hint } : {}), file: at.file, line: at.line, column: at.column };
    diagnostics.push(d);
    return d;
  };

  /** load_server_config(): undefined + fatal diagnostic when sshd would exit. */
  const load = async (path: string, site: { file: string; line: number; column: number }): Promise<ConfigFile | Diagnostic> => {
    const known = files.get(path);
    if (known) return known;
    const r = await fs.readFile(path, maxBytes);
    let text: ByteString;
    if (r.ok) text = bytesToText(r.bytes);
    else if (r.reason === 'not-a-file' && (await fs.stat(path))?.kind === 'directory') {
      text = ''; // fopen() of a directory succeeds and getline() fails: an empty file to sshd
      diagnostics.push({ code: 'UNREADABLE_FILE', severity: 'warning', message: `${path} is a directory: sshd reads it as an empty file`, file: site.file, line: site.line, column: site.column });
    } else if (r.reason === 'too-large') {
      return diag('FILE_TOO_LARGE', `cannot read ${path}: ${r.detail}`, site, 'sshield refuses files over the size cap; sshd would read it');
    } else {
      const what = site.line === 0 ? `cannot read ${path}` : `cannot read included file ${path}`;
      return diag('UNREADABLE_FILE', `${what}: ${r.detail}; sshd exits (load_server_config)`, site);
    }
    const file = parseSshdConfig(text, path);
    files.set(path, file);
    diagnostics.push(...file.diagnostics);
    return file;
  };

  const runPass = async (main: ConfigFile, fromCache: boolean): Promise<{ items: ReadItem[]; fatal: boolean }> => {
    const items: ReadItem[] = [];
    const stack: { path: string; site?: IncludeSite }[] = [];
    const fatal = (d: Diagnostic): never => {
      items.push({ kind: 'error', diagnostic: d, effect: 'fatal' });
      throw new Stop();
    };
    const push = (it: ReadItem): void => {
      items.push(it);
      if (items.length > maxItems) {
        fatal(diag('INCLUDE_DEPTH', `Include expansion produces more than ${maxItems} lines; sshield stops reading here`, { file: main.path, line: 0, column: 0 }));
      }
    };

    const parseFile = async (file: ConfigFile, depth: number, site?: IncludeSite): Promise<void> => {
      if (depth > maxDepth) {
        const at = { file: site?.file.path ?? file.path, line: site?.line.line ?? 0, column: site?.arg.column ?? 0 };
        const paths = [...stack.map((s) => s.path), file.path];
        const first = paths.lastIndexOf(file.path, paths.length - 2);
        const d = diag('INCLUDE_DEPTH', `Too many recursive configuration includes (more than ${maxDepth} levels, servconf.c SERVCONF_MAX_DEPTH): sshd exits`, at);
        if (first !== -1) {
          diag('INCLUDE_LOOP', `include loop: ${paths.slice(first).join(' -> ')}`, at, 'remove the Include that leads back to a file already being read');
        }
        fatal(d);
      }
      stack.push({ path: file.path, ...(site ? { site } : {}) });
      push({ kind: 'enter', file, depth, ...(site ? { include: site } : {}) });
      for (const line of file.lines) {
        push({ kind: 'line', file, line, depth });
        if (isInclude(line)) await processInclude(file, line, depth);
      }
      push({ kind: 'leave', file, depth, ...(site ? { include: site } : {}) });
      stack.pop();
    };

    const processInclude = async (file: ConfigFile, line: DirectiveLine, depth: number): Promise<void> => {
      let value = 0;
      for (const arg of line.args) {
        if (arg.value === '') {
          const d = diag('MISSING_ARGUMENT', `keyword ${displayText(line.keyword.value)} empty argument`, { file: file.path, line: line.line, column: arg.column });
          items.push({ kind: 'error', diagnostic: d, effect: 'bad-option' });
          return;
        }
        value++;
        const selector: ByteString = arg.value.startsWith('/') || arg.value.startsWith('~') ? arg.value : `${sshDir}/${arg.value}`;
        if (arg.value.startsWith('~')) {
          diagnostics.push({ code: 'INCLUDE_GLOB', severity: 'warning', message: `Include "${displayText(arg.value)}": sshd does not expand "~" here; the path is relative to sshd's working directory`, hint: 'use an absolute path', file: file.path, line: line.line, column: arg.column });
        }
        let found = false;
        for (let k = 0; k < cache.length; k++) {
          const entry = cache[k]!;
          if (entry.selector !== selector) continue;
          found = true;
          if (entry.file) await parseFile(entry.file, depth + 1, { file, line, arg, selector, cached: true });
        }
        if (found || fromCache) continue;
        const paths = await globPaths(fs, selector);
        if (paths.length === 0) cache.push({ selector });
        for (const p of paths) {
          const loaded = await load(p, { file: file.path, line: line.line, column: arg.column });
          if (!('lines' in loaded)) fatal(loaded);
          const inc = loaded as ConfigFile;
          await parseFile(inc, depth + 1, { file, line, arg, selector, cached: false });
          cache.push({ selector, file: inc });
        }
      }
      if (value === 0) {
        fatal(diag('MISSING_ARGUMENT', `${displayText(line.keyword.value)} missing filename argument: sshd exits`, { file: file.path, line: line.line, column: line.keyword.column }));
      }
    };

    try {
      await parseFile(main, 0);
      return { items, fatal: false };
    } catch (e) {
      if (e instanceof Stop) return { items, fatal: true };
      throw e;
    }
  };

  const loaded = await load(mainPath, { file: mainPath, line: 0, column: 0 });
  if (!('lines' in loaded)) {
    return { main: undefined, files, items: [{ kind: 'error', diagnostic: loaded, effect: 'fatal' }], matchItems: [], diagnostics, fatal: true };
  }
  const main = loaded;
  const first = await runPass(main, false);
  const before = diagnostics.length;
  const second = first.fatal ? { items: [] } : await runPass(main, true);
  diagnostics.length = before; // the replay reports nothing new
  return { main, files, items: first.items, matchItems: second.items, diagnostics, fatal: first.fatal };
}
