// The keyword table through its only lookup (resolveKeyword): alias slots, Match-allowed,
// per-build existence and status, client-only keywords. Expectations from servconf.c keywords[]
// of 9.2p1-2+deb12u10 and 10.0p1-7+deb13u4 (and `sshd -T` of both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalKeyword, findKeyword, isClientOnlyKeyword, resolveKeyword } from '../../../src/sshd/keywords/index.js';
import { BUILDS } from '../../../src/sshd/builds/index.js';

const B92 = BUILDS['9.2p1-debian'], B100 = BUILDS['10.0p1-debian'], B106 = BUILDS['10.6p1-debian'];

test('aliases share their slot (printed key) with the canonical keyword', () => {
  const rows: [string, string][] = [
    ['ChallengeResponseAuthentication', 'kbdinteractiveauthentication'],
    ['challengeresponseauthentication', 'kbdinteractiveauthentication'],
    ['KbdInteractiveAuthentication', 'kbdinteractiveauthentication'],
    ['PubkeyAcceptedKeyTypes', 'pubkeyacceptedalgorithms'],
    ['HostbasedAcceptedKeyTypes', 'hostbasedacceptedalgorithms'],
    ['GSSAPIAuthentication', 'gssapiauthentication'],
  ];
  for (const [word, key] of rows) {
    const k = findKeyword(word);
    assert.ok(k, word);
    assert.equal(k.dumpKey ?? k.name.toLowerCase(), key, word);
  }
  assert.equal(findKeyword('ChallengeResponseAuthentication')!.opcode, findKeyword('KbdInteractiveAuthentication')!.opcode);
});

test('Match-allowed keywords (SSHCFG_ALL) and global-only ones', () => {
  const rows: [string, boolean][] = [
    ['PasswordAuthentication', true], ['PermitRootLogin', true], ['AllowUsers', true], ['ForceCommand', true],
    ['ChrootDirectory', true], ['AuthenticationMethods', true], ['Banner', true], ['LogLevel', true], ['Subsystem', false],
    ['Port', false], ['ListenAddress', false], ['HostKey', false], ['Ciphers', false], ['UsePAM', false], ['AcceptEnv', true],
  ];
  for (const [word, inMatch] of rows) {
    const r = resolveKeyword(word, B92);
    assert.equal(r.kind, 'known', word);
    if (r.kind === 'known') assert.equal(r.inMatch, inMatch, word);
  }
  const sub = resolveKeyword('Subsystem', B100); // SSHCFG_ALL from 9.5
  assert.ok(sub.kind === 'known' && sub.inMatch);
});

test('keywords exist per build, with their status', () => {
  const rows: [string, typeof B92, string][] = [
    ['RefuseConnection', B92, 'unknown'], ['RefuseConnection', B100, 'supported'],
    // 10.6p1-debian is Debian unstable's 1:10.6p1-1 (it was an upstream guess without DebianBanner)
    ['DebianBanner', B92, 'supported'], ['DebianBanner', B100, 'supported'], ['DebianBanner', B106, 'supported'],
    // built without GSSAPI/Kerberos: upstream's keywords "Unsupported option", Debian's GSSAPI kex patch gone
    ['GSSAPIAuthentication', B100, 'supported'], ['GSSAPIAuthentication', B106, 'unsupported'], ['KerberosAuthentication', B106, 'unsupported'],
    ['GSSAPIKeyExchange', B100, 'supported'], ['GSSAPIKeyExchange', B106, 'unknown'], ['GSSAPIDelegateCredentials', B106, 'unsupported'],
    ['WarnWeakCrypto', B100, 'unknown'], ['WarnWeakCrypto', B106, 'supported'], ['AgentSocketPath', B106, 'supported'],
    ['PAMAuthenticationViaKbdInt', B100, 'deprecated'], ['PAMAuthenticationViaKbdInt', B106, 'unknown'], ['KerberosTgtPassing', B106, 'deprecated'],
    ['Protocol', B92, 'ignored'], ['UsePrivilegeSeparation', B92, 'deprecated'], ['UsePrivilegeSeparation', B100, 'deprecated'],
    ['PasswordAuthentication', B106, 'supported'], ['NoSuchKeyword', B92, 'unknown'],
  ];
  for (const [word, build, want] of rows) {
    const r = resolveKeyword(word, build);
    assert.equal(r.kind === 'unknown' ? 'unknown' : r.status, want, `${word} on ${build.id}`);
  }
});

test('client-only keywords are unknown to sshd and flagged as client-only', () => {
  for (const word of ['ObscureKeystrokeTiming', 'UseRoaming', 'StrictHostKeyChecking', 'obscurekeystroketiming']) {
    for (const b of [B92, B100]) {
      const r = resolveKeyword(word, b);
      assert.equal(r.kind, 'unknown', word);
      if (r.kind === 'unknown') assert.equal(r.clientOnly, true, word);
    }
    assert.equal(isClientOnlyKeyword(word), true);
  }
  const r = resolveKeyword('Bogus', B92);
  assert.ok(r.kind === 'unknown' && !r.clientOnly);
});

test('keywords compare case-insensitively in ASCII only (strcasecmp), canonical spelling kept', () => {
  assert.equal(canonicalKeyword('PERMITROOTLOGIN'), 'PermitRootLogin');
  assert.equal(canonicalKeyword('pErMiTrOoTlOgIn'), 'PermitRootLogin');
  assert.equal(canonicalKeyword('PermitRootLogın'), undefined); // dotless i is not ASCII
});
