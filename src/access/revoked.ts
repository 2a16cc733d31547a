// RevokedKeys as sshd applies it (auth.c auth_key_is_revoked -> authfile.c sshkey_check_revoked,
// OpenSSH 9.2p1..10.2p1): a KRL is searched by krl.c ssh_krl_check_key (explicit keys, SHA1 and
// SHA256 hashes of the plain key blob); any other file is a flat list of public keys read
// line by line (sshkey_in_file, comparing public parts), where a line sshkey_read cannot read
// ends the search with an error. ANY error (a missing or unreadable file, a bad line before the
// key) counts as revoked: sshd refuses the key. The KRL itself is read by the real ssh-keygen
// (`ssh-keygen -Q -l -f FILE` dump, gathered in src/host/facts/access-facts.ts). Pure.
import { createHash } from 'node:crypto';
import type { RevokedKeysFact } from '../host/facts/access-facts.js';
import { parseAuthorizedKeys } from '../keys/parser.js';
import type { KeyInfo } from '../keys/blob.js';

export type RevocationStatus = { readonly kind: 'ok' } | { readonly kind: 'revoked' | 'unknown'; readonly why: string };

interface KrlSets {
  readonly fingerprints: ReadonlySet<string>;
  readonly sha256: ReadonlySet<string>;
  readonly sha1: ReadonlySet<string>;
}

const krlCache = new WeakMap<object, KrlSets>();
const listCache = new WeakMap<object, ReturnType<typeof parseAuthorizedKeys>>();

/** The hashes krl.c krl_dump prints: "hash: SHA256:<base64> # type" (explicit keys), "hash: SHA256:<hex>", "# hash SHA1:<hex>". */
export function parseKrlDump(dump: string): KrlSets {
  const fingerprints = new Set<string>();
  const sha256 = new Set<string>();
  const sha1 = new Set<string>();
  for (const l of dump.split('\n')) {
    let m = /^hash: SHA256:([0-9a-f]{64})\s*$/i.exec(l);
    if (m) {
      sha256.add(m[1]!.toLowerCase());
      continue;
    }
    m = /^hash: (SHA256:[A-Za-z0-9+/]+)/.exec(l);
    if (m) {
      fingerprints.add(m[1]!);
      continue;
    }
    m = /^# hash SHA1:([0-9a-f]{40})/i.exec(l);
    if (m) sha1.add(m[1]!.toLowerCase());
  }
  return { fingerprints, sha256, sha1 };
}

/** Whether sshd would refuse `key` because of the RevokedKeys file described by `fact`. */
export function revocationOf(key: KeyInfo, fact: RevokedKeysFact | undefined): RevocationStatus {
  if (!fact) return { kind: 'ok' };
  switch (fact.kind) {
    case 'error':
      return { kind: 'revoked', why: `RevokedKeys ${fact.path} cannot be read (${fact.reason}): sshd refuses every key (auth_key_is_revoked)` };
    case 'krl-unknown':
      return { kind: 'unknown', why: fact.reason };
    case 'krl': {
      let sets = krlCache.get(fact);
      if (!sets) krlCache.set(fact, (sets = parseKrlDump(fact.dump)));
      const h256 = createHash('sha256').update(key.plainBlob).digest('hex');
      const h1 = createHash('sha1').update(key.plainBlob).digest('hex');
      if (sets.fingerprints.has(key.fingerprint) || sets.sha256.has(h256) || sets.sha1.has(h1)) return { kind: 'revoked', why: `revoked by the KRL ${fact.path}` };
      return { kind: 'ok' };
    }
    case 'list': {
      let f = listCache.get(fact);
      if (!f) listCache.set(fact, (f = parseAuthorizedKeys(fact.text, fact.path)));
      for (const l of f.lines) {
        if (l.kind === 'blank' || l.kind === 'comment') continue;
        // sshkey_in_file reads a key at the line start (after blanks): options or garbage are a read error.
        if (l.kind !== 'key' || l.optionsSpan !== undefined) return { kind: 'revoked', why: `RevokedKeys ${fact.path}:${l.line} is not a public key: sshd stops there with an error and refuses the key` };
        if (l.key.plainBlob.equals(key.plainBlob)) return { kind: 'revoked', why: `listed in RevokedKeys ${fact.path}:${l.line}` };
      }
      return { kind: 'ok' };
    }
  }
}
