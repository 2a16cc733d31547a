// What `sshd -T` writes, from an EffectiveConfig: one "key value" line per printed value, as
// bytes (config values are byte strings: a Latin-1 or UTF-8 argument comes out byte for byte,
// as sshd's printf does), the key spelled as the build's dump_config spells it (lower case up to
// 10.3, the keyword table's spelling from 10.4: lookup_opcode_name, servconf.c 10.4p1), and the
// warnings sshd prints on stderr while reading (servconf.c: "Deprecated option", "Unsupported
// option"). Pure: callers write the results.
import { KEYWORDS } from '../keywords/index.js';
import { getBuild, type BuildProfile } from '../builds/index.js';
import type { Diagnostic } from '../diagnostics.js';
import type { ByteString } from '../../text/bytes.js';
import type { EffectiveConfig } from './types.js';

/** The keyword table's spelling of each printed key (first non-alias row; sMacs is "Macs" in 10.4+'s table). */
const PRINT_NAMES: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const k of KEYWORDS) if (k.dumpKey && !k.aliasOf && !m.has(k.dumpKey)) m.set(k.dumpKey, k.name);
  m.set('macs', 'Macs');
  return m;
})();

/** How `sshd -T` of `build` spells a printed key ("permitrootlogin" or "PermitRootLogin"). */
export function printedKey(key: string, build: BuildProfile): string {
  return build.printNames ? (PRINT_NAMES.get(key) ?? key) : key;
}

/** `sshd -T [-C spec]`'s stdout for an accepted configuration, as a byte string ("" when rejected). */
export function renderSshdT(eff: EffectiveConfig): ByteString {
  const build = getBuild(eff.build);
  let out = '';
  for (const e of eff.entries) {
    const k = build ? printedKey(e.key, build) : e.key;
    for (const v of e.values) out += `${k} ${v}\n`;
  }
  return out;
}

/** The warnings sshd prints while reading (deprecated and unsupported keywords), in its words. */
export function sshdWarnings(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics
    .filter((d) => d.severity === 'warning' && (d.code === 'DEPRECATED_KEYWORD' || d.code === 'UNSUPPORTED_KEYWORD'))
    .map((d) => `${d.file} line ${d.line}: ${d.message}`);
}
