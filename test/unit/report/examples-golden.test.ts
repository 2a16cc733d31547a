// Every example root audited in-process (the same pipeline the CLI runs), checked against golden
// files: JSON results (test/golden/audit/<example>.json), the text rendering (.txt, no colour)
// SARIF (.sarif) and HTML (.html). Update only with UPDATE_GOLDEN=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rootFs } from '../../../src/host/root-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { gatherAudit } from '../../../src/audit/gather.js';
import { runAudit } from '../../../src/audit/run.js';
import { PROFILES } from '../../../src/policy/profiles.js';
import { renderJson } from '../../../src/report/json.js';
import { renderText } from '../../../src/report/text.js';
import { renderSarif } from '../../../src/report/sarif.js';
import { DEB_DOCS_BASE } from '../../../src/report/sarif-log.js';
import { assertValidSarif } from '../../helpers/sarif-schema.js';
import { renderHtml } from '../../../src/report/html.js';
import { reportView } from '../../../src/report/view.js';
import type { Report } from '../../../src/report/types.js';

const EXAMPLES = resolve('examples');
const GOLDEN = resolve('test/golden/audit');

function golden(name: string, actual: string): void {
  const p = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(p, actual);
  assert.ok(existsSync(p), `${p} missing: run with UPDATE_GOLDEN=1 after checking the output`);
  assert.equal(actual, readFileSync(p, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`);
}

async function auditExample(name: string): Promise<Report> {
  const a = await gatherAudit(offlineExecutor(rootFs(join(EXAMPLES, name))));
  const profile = a.isPve ? PROFILES.proxmox : PROFILES.baseline;
  const r = runAudit(a, { profile, source: 'builtin', waivers: [] }, { version: '0.0.0-test', today: '2026-11-24' });
  // The root's absolute path depends on the checkout.
  return JSON.parse(JSON.stringify(r).replaceAll(EXAMPLES, 'examples')) as Report;
}

const names = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((n) => existsSync(join(EXAMPLES, n, 'etc/ssh/sshd_config'))).sort() : [];

test('the five required example roots exist', () => {
  for (const n of ['pve8-default', 'pve9-default', 'pve-cluster-node', 'debian12-cloud', 'hardened']) assert.ok(names.includes(n), n);
});

for (const name of names) {
  test(`audit of examples/${name} matches the golden JSON, text and SARIF`, async () => {
    const r = await auditExample(name);
    assert.equal(r.schemaVersion, 1);
    const ids = r.results.map((x) => x.ruleId);
    assert.equal(new Set(ids).size, ids.length, 'one result per rule');
    for (const x of r.results) {
      assert.ok(['pass', 'fail', 'warn', 'skip'].includes(x.status));
      for (const l of x.locations) assert.ok(typeof l.file === 'string' && Number.isInteger(l.line));
    }
    golden(`${name}.json`, renderJson(r));
    golden(`${name}.txt`, renderText(r));
    if (name === 'pve-cluster-node') golden(`${name}.verbose.txt`, renderText(r, undefined, { verbose: true }));
    const sarif = renderSarif(r, { docsBase: DEB_DOCS_BASE });
    assertValidSarif(sarif, `${name}.sarif`);
    golden(`${name}.sarif`, sarif);
    golden(`${name}.html`, renderHtml(reportView([{ kind: 'audit', report: r }])));
  });
}

test('semantics visible in the examples', async () => {
  const cloud = await auditExample('debian12-cloud');
  const pw = cloud.results.find((x) => x.ruleId === 'sshd/no-password-auth')!;
  assert.equal(pw.status, 'fail');
  assert.deepEqual(pw.locations.map((l) => l.file), ['/etc/ssh/sshd_config.d/50-cloud-init.conf'], 'the cloud-init drop-in wins over the main file');
  const hardened = await auditExample('hardened');
  for (const id of ['sshd/no-password-auth', 'sshd/no-root-login', 'sshd/limit-login-grace-time', 'sshd/no-x11-forwarding', 'sshd/no-accept-env']) {
    assert.equal(hardened.results.find((x) => x.ruleId === id)?.status, 'pass', id);
  }
  const cluster = await auditExample('pve-cluster-node');
  assert.equal(cluster.results.find((x) => x.ruleId === 'sshd/no-root-login')?.status, 'pass');
  assert.ok(cluster.specs.some((s) => s.role === 'pve-peer'), 'root is evaluated from each node address');
  const pve9 = await auditExample('pve9-default');
  assert.match(pve9.results.find((x) => x.ruleId === 'sshd/no-root-login')!.message, /PermitRootLogin yes/);
});
