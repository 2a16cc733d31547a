// A config with Match LocalPort / LocalAddress that `sshd -t` and the daemon accept (lockout
// matrix M20): the audit's configOk is sshd -t's verdict, so harden does not stop with "sshd would
// refuse the current configuration", sshd/no-config-errors stays quiet, and the audit's listen
// port and specs are the config's own (not the default 22). The real daemons' side of this is
// test/integration/sshd/match-localport.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offlineExecutor } from '../../../src/host/executor.js';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { gatherAudit } from '../../../src/audit/gather.js';
import { loadHost } from '../../../src/host/loaded-host.js';
import { runRule } from '../../../src/rules/define-rule.js';
import { getRule } from '../../../src/rules/registry.js';

const host = (config: string) =>
  offlineExecutor(memoryFs({ '/etc/ssh/sshd_config': config, '/etc/passwd': 'root:x:0:0::/root:/bin/bash\n', '/etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }), 'memory');

for (const build of ['1:9.2p1-2+deb12u10', '1:10.0p1-7+deb13u4', '1:10.6p1-1']) {
  test(`audit of a config with Match LocalPort/LocalAddress (${build}): configOk, no sshd/no-config-errors finding, the config's own port`, async () => {
    const cfg = 'Port 40022\nPasswordAuthentication yes\nMatch LocalPort 40022\n\tPubkeyAuthentication no\nMatch LocalAddress 127.0.0.2\n\tX11Forwarding yes\n';
    const a = await gatherAudit(host(cfg), { openssh: build });
    assert.equal(a.configOk, true);
    const r = runRule(getRule('sshd/no-config-errors')!, a.input, { pveAware: false });
    assert.equal(r.status, 'pass', JSON.stringify(r));
    assert.ok(a.input.specs.length > 0 && a.input.specs.every((s) => s.spec.lport === undefined || s.spec.lport === 40022), JSON.stringify(a.input.specs.map((s) => s.spec)));
    // every spec the audit evaluates arrives on the one port, so the Match LocalPort block applies to all of them
    for (const s of a.input.specs) if (s.spec.lport === 40022) assert.equal(s.config.value('pubkeyauthentication'), 'no', JSON.stringify(s.spec));
  });
}

test('LoadedHost.global(): sshd -t\'s view for Match LocalPort (first port); evaluate() stays sshd -T without -C (refused)', async () => {
  const h = await loadHost(host('Port 40022\nPort 40023\nMatch LocalPort 40023\n\tPasswordAuthentication no\n'), { openssh: '1:9.2p1-2+deb12u10' });
  assert.equal(h.evaluate().ok, false);
  assert.equal(h.global().ok, true);
  assert.equal(h.global().value('passwordauthentication'), 'yes', 'the first port (40022) is not matched');
  assert.deepEqual(h.global().get('listenaddress')?.values, ['[::]:40022', '0.0.0.0:40022', '[::]:40023', '0.0.0.0:40023']);
  // a config without Match LocalPort: global() is evaluate()
  const plain = await loadHost(host('Port 40022\n'), { openssh: '1:9.2p1-2+deb12u10' });
  assert.deepEqual(plain.global().entries, plain.evaluate().entries);
  // a config sshd refuses stays refused
  const bad = await loadHost(host('Port 40022\nMatch LocalPort 40022\n\tNoSuchKeyword yes\n'), { openssh: '1:9.2p1-2+deb12u10' });
  assert.equal(bad.global().ok, false);
});
