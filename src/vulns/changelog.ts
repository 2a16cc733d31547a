// Debian package changelogs (debian/changelog, installed gzipped as
// /usr/share/doc/openssh-server/changelog.Debian.gz by Debian and Ubuntu): which revision names
// which CVE, and on which date. The installed changelog is the host's own primary source: a CVE
// named by an entry at or below the installed revision is fixed in that build, whatever the
// upstream number says. Format per Debian Policy §4.4 ("package (version) distribution(s);
// urgency=..." ... " -- maintainer <email>  date"). Pure: bytes in, entries out (gunzip is
// node:zlib, no I/O); the caller reads the file through the host fs.
//
// API: parseDebianChangelog(text) -> ChangelogEntry[] (newest first, as written);
//      decodeChangelog(bytes) -> text (gunzips when the bytes are gzip);
//      changelogFixes(entries, installed) -> Map<cve, ChangelogEntry> (oldest entry <= installed naming it).
import { gunzipSync } from 'node:zlib';
import { compareDebianVersions } from './dpkg-version.js';

export interface ChangelogEntry {
  readonly version: string;
  readonly distribution: string;
  /** The header line, verbatim: the evidence a verdict cites. */
  readonly header: string;
  /** 1-based line of the header in the decompressed text. */
  readonly line: number;
  /** YYYY-MM-DD from the trailer line, when it parses. */
  readonly date?: string;
  readonly cves: readonly string[];
}

const HEADER = /^([a-z0-9][a-z0-9+.-]*) \(([^()\s]+)\) ([^;]*);/;
const TRAILER = /^ -- .*?>\s\s(.+)$/;
const CVE = /CVE-\d{4}-\d{4,}/g;

/** Decodes changelog bytes: gzip (magic 1f 8b) is inflated; anything else is read as UTF-8. */
export function decodeChangelog(bytes: Uint8Array, maxBytes = 16 * 1024 * 1024): string {
  const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const raw = gz ? gunzipSync(bytes, { maxOutputLength: maxBytes }) : bytes;
  return new TextDecoder('utf-8', { fatal: false }).decode(raw);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The day as written (RFC 5322 "Sun, 05 Apr 2026 00:29:20 +0100" is 2026-04-05, in its own zone). */
function isoDay(rfc2822: string): string | undefined {
  const m = /(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})/.exec(rfc2822);
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  if (!m || month < 0) return undefined;
  return `${m[3]}-${String(month + 1).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

export function parseDebianChangelog(text: string): ChangelogEntry[] {
  const out: ChangelogEntry[] = [];
  let cur: { version: string; distribution: string; header: string; line: number; date?: string; cves: Set<string> } | undefined;
  const flush = () => {
    if (cur) out.push({ version: cur.version, distribution: cur.distribution, header: cur.header, line: cur.line, ...(cur.date ? { date: cur.date } : {}), cves: [...cur.cves].sort() });
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    const h = HEADER.exec(l);
    if (h) {
      flush();
      cur = { version: h[2]!, distribution: h[3]!.trim(), header: l, line: i + 1, cves: new Set() };
      continue;
    }
    if (!cur) continue;
    const t = TRAILER.exec(l);
    if (t) {
      const d = isoDay(t[1]!);
      if (d) cur.date = d;
      continue;
    }
    for (const m of l.matchAll(CVE)) cur.cves.add(m[0]);
  }
  flush();
  return out;
}

/**
 * The CVEs the changelog says are fixed in `installed`: for each CVE, the oldest entry whose
 * version is at or below the installed version and names it (entries above the installed
 * version, e.g. a changelog read from a newer candidate, are ignored).
 */
export function changelogFixes(entries: readonly ChangelogEntry[], installed: string): Map<string, ChangelogEntry> {
  const fixes = new Map<string, ChangelogEntry>();
  for (const e of entries) {
    if (compareDebianVersions(e.version, installed) > 0) continue;
    for (const c of e.cves) {
      const prev = fixes.get(c);
      if (!prev || compareDebianVersions(e.version, prev.version) < 0) fixes.set(c, e);
    }
  }
  return fixes;
}
