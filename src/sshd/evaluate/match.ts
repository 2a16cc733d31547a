// Match criteria, as servconf.c match_cfg_line (OpenSSH 9.2p1; 10.0p1 adds `invalid-user`,
// `version` and the `attr=value` spelling, unchanged through 10.5p1) evaluates them. `ci`
// undefined is sshd's first pass (connectinfo NULL: only syntax and "all"); in test mode (-T) a
// criterion whose attribute the spec lacks does not match, except LocalPort, whose absence is fatal.
import type { ConnectionSpec } from './types.js';
import { strdelim } from '../lexer.js';
import { a2port } from '../values/time.js';
import { addrMatchList, matchHostname, matchPatternList } from '../values/pattern.js';

export interface Accounts {
  /** user -> primary gid name and supplementary groups (from /etc/passwd and /etc/group). */
  groupsOf(user: string): readonly string[] | undefined;
}

export type MatchResult = { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly message: string };

/** match.c match_usergroup_pattern_list (no user@host patterns here): user names are case-sensitive. */
function matchUser(user: string, list: string): boolean {
  return matchPatternList(user, list) === 1;
}

/**
 * A Match line's words as match_cfg_line reads them with strdelim(): tokenised once, evaluated
 * per connection. `broken` marks where strdelim() failed (an unbalanced quote): there the next
 * read yields NULL, as in sshd.
 */
export interface CompiledMatch {
  readonly words: readonly string[];
  readonly broken: boolean;
}

export function compileMatch(rest: string): CompiledMatch {
  const words: string[] = [];
  let pos = 0;
  for (;;) {
    if (pos >= rest.length) return { words, broken: false };
    const d = strdelim(rest, pos);
    if (!d) return { words, broken: true };
    pos = d.next ?? rest.length;
    words.push(d.value);
    if (d.next === undefined) return { words, broken: false };
  }
}

/** What match_cfg_line needs to know of the build: its version and SSH_RELEASE (`Match version`). */
export interface MatchBuild {
  readonly version: number;
  /** SSH_RELEASE as the binary holds it, e.g. "OpenSSH_10.0p2 Debian-7+deb13u4". */
  readonly release?: string;
}

export function matchCondition(rest: string, ci: ConnectionSpec | undefined, accounts: Accounts | undefined, build: number | MatchBuild): MatchResult {
  return evalMatch(compileMatch(rest), ci, accounts, build);
}

/** The `attr=value` spellings servconf.c match_cfg_line accepts from 10.0p1 (strprefix, case-insensitive). */
const EQ_ATTRS = ['user', 'group', 'host', 'address', 'localaddress', 'localport', 'rdomain', 'version'];

/** servconf.c match_cfg_line over a compiled line; `ci` undefined is the start-up pass. */
export function evalMatch(cm: CompiledMatch, ci: ConnectionSpec | undefined, accounts: Accounts | undefined, build: number | MatchBuild): MatchResult {
  const { version, release } = typeof build === 'number' ? { version: build, release: undefined } : build;
  let result = true;
  let attributes = 0;
  let k = 0;
  const w = cm.words, end = cm.broken ? undefined : '';
  for (;;) {
    let attrib = k < w.length ? w[k++] : end;
    if (attrib === undefined || attrib === '') break;
    if (attrib.startsWith('#')) break;
    attributes++;
    let low = attrib.toLowerCase();
    if (low === 'all') {
      const arg = k < w.length ? w[k++] : end;
      if (attributes > 1 || (arg !== undefined && arg !== '' && !arg.startsWith('#'))) return { ok: false, message: "'all' cannot be combined with other Match attributes" };
      return { ok: true, value: true };
    }
    if (version >= 10 && low === 'invalid-user') {
      // 10.0p1: no argument; matches only a connection whose user is invalid (-C invalid-user)
      if (!ci || !ci.invalidUser) result = false;
      continue;
    }
    let arg: string | undefined;
    const eq = attrib.indexOf('=');
    if (version >= 10 && eq > 0 && EQ_ATTRS.includes(low.slice(0, eq))) {
      arg = attrib.slice(eq + 1);
      attrib = attrib.slice(0, eq);
      low = low.slice(0, eq);
    } else arg = k < w.length ? w[k++] : end;
    if (arg === undefined || arg === '' || arg.startsWith('#')) return { ok: false, message: `Missing Match criteria for ${attrib}` };
    switch (low) {
      case 'user':
        if (!ci || ci.user === undefined) { result = false; continue; }
        if (!matchUser(ci.user, arg)) result = false;
        break;
      case 'group': {
        if (!ci || ci.user === undefined) { result = false; continue; }
        const groups = accounts?.groupsOf(ci.user);
        if (!groups || !groups.some((g) => matchPatternList(g, arg) === 1) || groups.some((g) => matchPatternList(g, arg) === -1)) result = false;
        break;
      }
      case 'host':
        if (!ci || ci.host === undefined) { result = false; continue; }
        if (matchHostname(ci.host, arg) !== 1) result = false;
        break;
      case 'address':
      case 'localaddress': {
        const a = low === 'address' ? ci?.addr : ci?.laddr;
        if (!ci || a === undefined) {
          if (addrMatchList(undefined, arg) !== 0) return { ok: false, message: `Invalid Match ${low} argument '${arg}'`, };
          result = false;
          continue;
        }
        const r = addrMatchList(a, arg);
        if (r === -2) return { ok: false, message: `Bad Match ${low} list '${arg}'` };
        if (r !== 1) result = false;
        break;
      }
      case 'localport': {
        const port = a2port(arg);
        if (port === -1) return { ok: false, message: `Invalid LocalPort '${arg}' on Match line` };
        if (!ci) { result = false; continue; }
        if (ci.lport === undefined || ci.lport === 0) return { ok: false, message: "'Match LocalPort' in configuration but 'lport' not in connection test specification." };
        if (port !== ci.lport) result = false;
        break;
      }
      case 'rdomain':
        if (!ci || ci.rdomain === undefined) { result = false; continue; }
        if (matchPatternList(ci.rdomain, arg) !== 1) result = false;
        break;
      case 'version':
        if (version < 10) return { ok: false, message: `Unsupported Match attribute ${attrib}` };
        // match_pattern_list(SSH_RELEASE, arg, 0): case-sensitive, whatever the connection
        if (matchPatternList(release ?? '', arg) !== 1) result = false;
        break;
      default:
        return { ok: false, message: `Unsupported Match attribute ${attrib}` };
    }
  }
  if (attributes === 0) return { ok: false, message: 'One or more attributes required for Match' };
  return { ok: true, value: result };
}
