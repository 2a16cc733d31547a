// Grading: from what a server offered (KEXINIT lists, host keys, auth methods, CVE status) to
// findings under a profile. Pure and order-insensitive: every list is treated as a set, so
// reordering a server's algorithms never changes a finding.
import { CATEGORY_LABEL, isKexMarker, lookupAlgorithm, type AlgorithmCategory, type AlgorithmInfo, type Verdict } from './algorithms.js';
import type { Level, ScanProfile } from './profiles.js';
import type { Kexinit } from './wire.js';
import type { ScanAlgorithms, ScanAuth, ScanCve, ScanFinding, ScanHostKey, ScanRuleId } from './types.js';

export const STRICT_KEX_SERVER = 'kex-strict-s-v00@openssh.com';

const RULE: Readonly<Record<AlgorithmCategory, ScanRuleId>> = {
  kex: 'scan/restrict-kex-algorithms',
  hostKey: 'scan/restrict-host-key-algorithms',
  cipher: 'scan/restrict-ciphers',
  mac: 'scan/restrict-macs',
};

export function toScanAlgorithms(k: Kexinit): ScanAlgorithms {
  return {
    kex: k.kex,
    hostKey: k.hostKey,
    ciphersClientToServer: k.ciphersClientToServer,
    ciphersServerToClient: k.ciphersServerToClient,
    macsClientToServer: k.macsClientToServer,
    macsServerToClient: k.macsServerToClient,
    compressionClientToServer: k.compressionClientToServer,
    compressionServerToClient: k.compressionServerToClient,
    languagesClientToServer: k.languagesClientToServer,
    languagesServerToClient: k.languagesServerToClient,
    firstKexPacketFollows: k.firstKexPacketFollows,
    strictKex: k.kex.includes(STRICT_KEX_SERVER),
    extInfo: k.kex.includes('ext-info-s'),
  };
}

/** Offered names per category, both directions merged, markers removed, as sorted sets. */
export function offeredSets(a: ScanAlgorithms): Record<AlgorithmCategory, string[]> {
  const set = (...ls: (readonly string[])[]) => [...new Set(ls.flat())].sort();
  return {
    kex: set(a.kex.filter((n) => !isKexMarker(n))),
    hostKey: set(a.hostKey),
    cipher: set(a.ciphersClientToServer, a.ciphersServerToClient),
    mac: set(a.macsClientToServer, a.macsServerToClient),
  };
}

function verdictFor(profile: ScanProfile, cat: AlgorithmCategory, name: string): { verdict: Verdict | 'unknown'; info?: AlgorithmInfo; allowListed?: boolean } {
  const allow = profile.allow[cat];
  if (allow && !allow.includes(name)) return { verdict: 'broken', allowListed: false };
  const override = profile.verdicts[cat]?.[name];
  const info = lookupAlgorithm(cat, name);
  if (override) return { verdict: override, ...(info ? { info } : {}) };
  return info ? { verdict: info.verdict, info } : { verdict: 'unknown' };
}

function push(out: ScanFinding[], level: Level, f: Omit<ScanFinding, 'level'>): void {
  if (level !== 'off') out.push({ ...f, level });
}

export function gradeAlgorithms(a: ScanAlgorithms, profile: ScanProfile): ScanFinding[] {
  const out: ScanFinding[] = [];
  const sets = offeredSets(a);
  for (const cat of ['kex', 'hostKey', 'cipher', 'mac'] as const) {
    for (const name of sets[cat]) {
      const v = verdictFor(profile, cat, name);
      if (v.verdict === 'good') continue;
      const label = CATEGORY_LABEL[cat];
      if (v.allowListed === false) {
        push(out, profile.levels.broken, { ruleId: RULE[cat], category: cat, algorithm: name, message: `${label} ${name} is offered but not in profile ${profile.name}'s allow-list`, ...(lookupAlgorithm(cat, name)?.reason ? { reason: lookupAlgorithm(cat, name)!.reason! } : {}) });
      } else if (v.verdict === 'unknown') {
        push(out, profile.levels.unknown, { ruleId: RULE[cat], category: cat, algorithm: name, message: `${label} ${name} is unknown to sshield and was not graded` });
      } else {
        const reason = v.info?.reason ?? `profile ${profile.name} marks it ${v.verdict}`;
        push(out, profile.levels[v.verdict], { ruleId: RULE[cat], category: cat, algorithm: name, message: `${v.verdict} ${label} offered: ${name}`, reason });
      }
    }
  }
  if (sets.kex.length && !sets.kex.some((n) => lookupAlgorithm('kex', n)?.pq)) {
    push(out, profile.noPqKex, {
      ruleId: 'scan/require-pq-kex',
      message: 'no post-quantum hybrid key exchange offered (mlkem768x25519-sha256 or sntrup761x25519-sha512)',
      reason: 'traffic recorded today could be decrypted by a future quantum computer ("store now, decrypt later"); OpenSSH 9.0+ offers sntrup761x25519, 9.9+ mlkem768x25519. Classical exchanges such as curve25519 are not weak.',
    });
  }
  out.push(...gradeTerrapin(a, profile));
  return out;
}

/**
 * CVE-2023-48795 (Terrapin, Bäumer et al. 2023): prefix truncation works against
 * chacha20-poly1305@openssh.com, and against CBC ciphers combined with an encrypt-then-MAC MAC,
 * unless both sides use strict KEX; the server side announces it with kex-strict-s-v00@openssh.com
 * (OpenSSH PROTOCOL, 9.6; Debian 9.2p1-2+deb12u2). Either direction counts.
 */
export function terrapinExposure(a: ScanAlgorithms): { vulnerable: boolean; via: string[] } {
  if (a.strictKex) return { vulnerable: false, via: [] };
  const sets = offeredSets(a);
  const via: string[] = [];
  if (sets.cipher.includes('chacha20-poly1305@openssh.com')) via.push('chacha20-poly1305@openssh.com');
  const cbc = sets.cipher.filter((c) => c.endsWith('-cbc') || c === 'rijndael-cbc@lysator.liu.se');
  const etm = sets.mac.filter((m) => m.endsWith('-etm@openssh.com'));
  if (cbc.length && etm.length) via.push(...cbc.map((c) => `${c} with ${etm.join('/')}`));
  return { vulnerable: via.length > 0, via };
}

function gradeTerrapin(a: ScanAlgorithms, profile: ScanProfile): ScanFinding[] {
  const t = terrapinExposure(a);
  if (!t.vulnerable) return [];
  const out: ScanFinding[] = [];
  push(out, profile.terrapin, {
    ruleId: 'scan/no-terrapin',
    cve: 'CVE-2023-48795',
    message: `vulnerable to Terrapin (CVE-2023-48795): offers ${t.via.join(', ')} without strict key exchange (${STRICT_KEX_SERVER})`,
    reason: 'an attacker in the network path can drop packets at the start of the encrypted session (e.g. the extension negotiation that enables keystroke-timing protection); upgrade to OpenSSH 9.6+ or a distro build with strict KEX (Debian 12: 1:9.2p1-2+deb12u2), or remove these algorithms',
  });
  return out;
}

export function gradeAuth(auth: ScanAuth, profile: ScanProfile): ScanFinding[] {
  const out: ScanFinding[] = [];
  const offered = [auth.passwordOffered ? 'password' : '', auth.keyboardInteractiveOffered ? 'keyboard-interactive' : ''].filter(Boolean);
  if (offered.length) {
    push(out, profile.passwordOffered, {
      ruleId: 'scan/no-password-auth',
      message: `password login offered to user ${auth.user} (${offered.join(', ')})`,
      reason: 'passwords can be guessed by anyone who can reach the port; use keys (PasswordAuthentication no, KbdInteractiveAuthentication no). keyboard-interactive usually asks for the same password through PAM.',
    });
  }
  return out;
}

export function gradeHostKeys(keys: readonly ScanHostKey[], profile: ScanProfile): ScanFinding[] {
  const out: ScanFinding[] = [];
  for (const k of keys) {
    if (k.type === 'ssh-rsa' && k.bits !== null && k.bits < profile.minRsaBits) {
      push(out, k.bits < 2048 ? 'fail' : profile.levels.weak, {
        ruleId: 'scan/limit-host-key-size',
        category: 'hostKey',
        algorithm: k.algorithm,
        message: `RSA host key has ${k.bits} bits (profile ${profile.name} wants at least ${profile.minRsaBits})`,
        reason: 'NIST SP 800-57 rates 2048-bit RSA at 112-bit security and 3072-bit at 128; below 2048 bits is breakable',
      });
    }
  }
  return out;
}

/**
 * fix-available: at the profile's knownCve level for critical/high, one step lower for medium/low;
 * no-fix-yet (nothing to install): one step lower again; unknown (hidden revision): info once per
 * target, never a failure; fixed, mitigated: no finding (the text report sums them up).
 */
export function gradeCves(cves: readonly ScanCve[], profile: ScanProfile): ScanFinding[] {
  const out: ScanFinding[] = [];
  const down = (l: ScanProfile['knownCve']): ScanProfile['knownCve'] => (l === 'fail' ? 'warn' : l === 'warn' ? 'info' : l);
  const unknown: ScanCve[] = [];
  for (const c of cves) {
    const verdict = c.verdict ?? (c.status === 'affected' ? 'fix-available' : c.status);
    if (verdict === 'unknown') unknown.push(c);
    if (verdict !== 'fix-available' && verdict !== 'no-fix-yet') continue;
    let level = c.severity === 'medium' || c.severity === 'low' ? down(profile.knownCve) : profile.knownCve;
    if (verdict === 'no-fix-yet') level = down(level);
    push(out, level, {
      ruleId: 'scan/no-known-vulnerabilities',
      cve: c.id,
      message: `${c.id}${c.severity ? ` (${c.severity})` : ''}${c.summary ? ` ${c.summary}` : ''}: ${verdict === 'fix-available' ? `fix available${c.fixedIn ? ` (${c.fixedIn})` : ''}` : 'no fix published yet'}`,
      reason: [c.note, c.severityBasis ? `Severity: ${c.severityBasis}.` : '', c.confidence ? `Confidence: ${c.confidence}.` : ''].filter(Boolean).join(' '),
    });
  }
  if (unknown.length > 0) {
    push(out, 'info', {
      ruleId: 'scan/no-known-vulnerabilities',
      message: `${unknown.length} CVE${unknown.length === 1 ? '' : 's'} unknown: ${unknown[0]!.confidence ?? 'the banner does not say enough'}`,
      reason: `${unknown.map((c) => c.id).join(', ')}. ${unknown[0]!.note ?? ''}`.trim(),
    });
  }
  return out;
}

/** Version says Terrapin-affected, but nothing offered is exposed: mark it mitigated. */
export function applyTerrapinMitigation(cves: readonly ScanCve[], a: ScanAlgorithms): ScanCve[] {
  if (terrapinExposure(a).vulnerable) return [...cves];
  return cves.map((c) => (c.id === 'CVE-2023-48795' && c.status === 'affected' ? { ...c, status: 'mitigated', verdict: 'mitigated', note: `${c.note ?? ''} Mitigated: the server offers neither chacha20-poly1305 nor a CBC cipher with an -etm MAC, or announces strict KEX.`.trim() } : c));
}

export function levelCounts(findings: readonly ScanFinding[]): { fail: number; warn: number; info: number } {
  const c = { fail: 0, warn: 0, info: 0 };
  for (const f of findings) c[f.level]++;
  return c;
}
