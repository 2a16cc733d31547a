// Guardrails: every rule module is registered, documented (docs/rules/<id>.md matches its
// metadata; regenerate with UPDATE_DOCS=1) and in a valid profile; ids are unique and follow
// <domain>/<verb>-<subject>; profile settings name real rules with valid options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { RULES, RULE_IDS } from '../../../src/rules/registry.js';
import { docPath, renderRuleDoc } from '../../../src/rules/docs.js';
import { PROFILES } from '../../../src/policy/profiles.js';

const FIXED = ['sshd/no-root-login', 'sshd/limit-max-auth-tries', 'sshd/limit-login-grace-time', 'sshd/no-password-auth', 'sshd/no-empty-passwords', 'sshd/no-kbd-interactive-auth', 'sshd/no-kerberos-auth', 'sshd/no-gssapi-auth', 'sshd/no-x11-forwarding', 'sshd/no-user-environment', 'sshd/no-accept-env', 'sshd/no-agent-forwarding', 'sshd/no-tcp-forwarding', 'sshd/no-tunnel', 'sshd/no-debian-banner', 'sshd/require-allowlist', 'sshd/require-safe-chroot', 'sshd/no-client-only-keywords', 'host/require-current-openssh', 'host/no-known-vulnerabilities', 'host/require-nologin-for-sftp-users'];

test('ids are unique and follow <domain>/<verb>-<subject>', () => {
  assert.equal(new Set(RULE_IDS).size, RULE_IDS.length);
  for (const id of RULE_IDS) assert.match(id, /^(sshd|keys|host|scan)\/(no|require|restrict|limit)-[a-z0-9]+(-[a-z0-9]+)*$/, id);
});

test('the fixed ids of the guide are all registered', () => {
  for (const id of FIXED) assert.ok(RULE_IDS.includes(id), id);
});

test('every rule module under src/rules/<domain>/ is registered under its file name', () => {
  for (const domain of ['sshd', 'host', 'keys']) {
    const dir = `src/rules/${domain}`;
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) assert.ok(RULE_IDS.includes(`${domain}/${f.slice(0, -3)}`), `${dir}/${f} not in the registry`);
  }
});

test('every rule is in at least one built-in profile and every profile entry is a real rule with valid options', () => {
  for (const r of RULES) assert.ok(Object.values(PROFILES).some((p) => p.rules[r.meta.id]?.enabled), `${r.meta.id} in no profile`);
  for (const p of Object.values(PROFILES)) {
    for (const [id, s] of Object.entries(p.rules)) {
      const rule = RULES.find((r) => r.meta.id === id);
      assert.ok(rule, `${p.name}: ${id}`);
      for (const k of Object.keys(s.options ?? {})) assert.ok(rule.meta.options?.[k], `${p.name}: ${id} has no option ${k}`);
    }
  }
});

test('every rule has complete metadata', () => {
  for (const r of RULES) {
    const m = r.meta;
    for (const k of ['what', 'why', 'fix', 'whenNot'] as const) assert.ok(m.docs[k].length > 10, `${m.id} docs.${k}`);
    assert.ok(m.references.length > 0, `${m.id} references`);
    assert.ok(m.title.length > 0);
  }
});

test('every rule is documented in docs/rules/ and the page matches its metadata', () => {
  for (const r of RULES) {
    const profiles = Object.values(PROFILES).filter((p) => p.rules[r.meta.id]?.enabled).map((p) => p.name);
    const want = renderRuleDoc(r, profiles);
    const path = docPath(r.meta.id);
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, want);
    assert.ok(existsSync(path), `${path} missing (run with UPDATE_DOCS=1)`);
    assert.equal(readFileSync(path, 'utf8'), want, `${path} is stale (run with UPDATE_DOCS=1)`);
  }
});
