// Debian version ordering: a faithful port of dpkg's `verrevcmp` and `dpkg_version_compare`
// (dpkg lib/dpkg/version.c, parseversion in lib/dpkg/parsehelp.c). Pure and total: any string
// compares; malformed versions are split the way dpkg splits them rather than rejected.
// `~` sorts before everything, even the end of the string; letters before non-letters.
//
// API: parseDebianVersion(v) -> { epoch, upstream, revision }; compareDebianVersions(a, b) -> <0|0|>0.

export interface DebianVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

/** Splits "[epoch:]upstream[-revision]" like dpkg's parseversion (last '-' starts the revision). */
export function parseDebianVersion(text: string): DebianVersion {
  let s = text.trim();
  let epoch = 0;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    epoch = /^\d+$/.test(e) ? Number(e) : 0;
    s = s.slice(colon + 1);
  }
  const dash = s.lastIndexOf('-');
  if (dash >= 0) return { epoch, upstream: s.slice(0, dash), revision: s.slice(dash + 1) };
  return { epoch, upstream: s, revision: '' };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's order(): digits 0, letters their code, '~' -1, end 0, anything else code + 256. */
function order(c: number): number {
  if (Number.isNaN(c) || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126) return -1;
  return c + 256;
}

/** Port of dpkg's verrevcmp(): compares one upstream or revision part. */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const ca = (k: number): number => (k < a.length ? a.charCodeAt(k) : NaN);
  const cb = (k: number): number => (k < b.length ? b.charCodeAt(k) : NaN);
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(ca(i))) || (j < b.length && !isDigit(cb(j)))) {
      const ac = order(ca(i));
      const bc = order(cb(j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (ca(i) === 48) i++;
    while (cb(j) === 48) j++;
    while (isDigit(ca(i)) && isDigit(cb(j))) {
      if (!firstDiff) firstDiff = ca(i) - cb(j);
      i++;
      j++;
    }
    if (isDigit(ca(i))) return 1;
    if (isDigit(cb(j))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** dpkg --compare-versions semantics: negative when a < b, 0 when equal, positive when a > b. */
export function compareDebianVersions(a: string, b: string): number {
  const va = parseDebianVersion(a);
  const vb = parseDebianVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch > vb.epoch ? 1 : -1;
  const u = verrevcmp(va.upstream, vb.upstream);
  if (u !== 0) return u;
  return verrevcmp(va.revision, vb.revision);
}
