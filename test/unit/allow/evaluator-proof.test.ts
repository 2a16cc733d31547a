// The planner proven with the real evaluator (src/sshd/evaluate) over an in-memory tree: drop-ins
// included at the top, a Match block that sets its own DenyUsers (which replaces the global list
// for the connections it matches), IPv6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { groupLookup, loadConfig, memoEvaluate } from '../../../src/allow/engine.js';
import { planAllow, matchAddressSamples } from '../../../src/allow/planner.js';
import { parseAllowAddress, type AllowAddress } from '../../../src/allow/address.js';

const A = (s: string): AllowAddress => {
  const r = parseAllowAddress(s);
  assert.ok(r.ok);
  return r.value;
};

async function plan(files: Record<string, string>, addresses: string[]) {
  const fs = memoryFs({ '/etc/passwd': 'root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n', '/etc/group': 'root:x:0:\nalice:x:1000:\nsudo:x:27:alice\n', ...files });
  const l = await loadConfig(fs, '/etc/ssh/sshd_config');
  assert.ok(l.ok);
  const cfg = l.value;
  return planAllow(
    { main: cfg.main, evaluate: memoEvaluate(cfg), groupsOf: groupLookup(cfg.accounts), admin: 'alice', clusterAddresses: [], overrides: new Set(), extraSamples: matchAddressSamples([...cfg.tree.files.values()]) },
    { op: 'add', addresses: addresses.map(A) },
  );
}

test('a Match block with its own DenyUsers gets the allowlist too (else it would reopen access)', async () => {
  const main = 'Include /etc/ssh/sshd_config.d/*.conf\nAllowGroups sudo root\n\nMatch Address 10.9.0.0/16\n\tDenyUsers bob\n';
  const r = await plan({ '/etc/ssh/sshd_config': main, '/etc/ssh/sshd_config.d/50-x.conf': 'PasswordAuthentication no\n' }, ['192.0.2.0/24', '2001:db8::/32']);
  assert.ok(r.proven, JSON.stringify(r.proof.filter((p) => !p.ok), null, 1));
  assert.equal(r.after, 'Include /etc/ssh/sshd_config.d/*.conf\nAllowGroups sudo root\n# sshield allow: logins only from the "!" addresses below; DenyUsers refuses all others (sshield allow list)\nDenyUsers *@!192.0.2.0/24,!2001:db8::/32,*\n\nMatch Address 10.9.0.0/16\n\tDenyUsers bob *@!192.0.2.0/24,!2001:db8::/32,*\n');
  // the proof asked about an address of the Match block, and alice is refused there now
  const row = r.proof.find((p) => p.user === 'alice' && p.addr === '10.9.0.0')!;
  assert.equal(row.before.allowed, true);
  assert.equal(row.after.allowed, false);
  assert.ok(r.proof.find((p) => p.user === 'alice' && p.addr === '2001:db8::')!.after.allowed);
});

test('without the Match fix the proof would catch it: a drop-in Match DenyUsers is reported unproven', async () => {
  const main = 'Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\n';
  const r = await plan({ '/etc/ssh/sshd_config': main, '/etc/ssh/sshd_config.d/50-x.conf': 'Match Address 10.9.0.0/16\n\tDenyUsers bob\n' }, ['192.0.2.0/24']);
  assert.equal(r.proven, false);
  assert.ok(r.proof.some((p) => !p.ok && p.addr === '10.9.0.0'));
});
