// `sshield data update` end to end: sources served on 127.0.0.1 by a local HTTP server (no other
// network), the refreshed copy stored in a temp SSHIELD_DATA_DIR (previous copy kept), used by
// audit afterwards; an older data file is refused (exit 3) and leaves the copy alone; an
// unreachable source keeps the bundled data (exit 2); stale data is a warning in the report.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const fixtures = join(process.cwd(), 'test/fixtures/data-update');
const bundled = readFileSync(join(process.cwd(), 'data/openssh-vulns.json'), 'utf8');
const dataDir = mkdtempSync(join(tmpdir(), 'sshield-data-'));
const routes: Record<string, string> = {
  '/tracker.json': readFileSync(join(fixtures, 'debian-tracker-openssh.json'), 'utf8'),
  '/osv.json': readFileSync(join(fixtures, 'osv-UBUNTU-CVE-2026-35414.json'), 'utf8'),
  '/old-data.json': JSON.stringify({ ...JSON.parse(bundled), date: '2026-11-01' }),
};
const server: Server = createServer((req, res) => {
  const body = routes[req.url ?? ''];
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{}');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => {
  server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function sshield(args: string[], today = '2026-12-05'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI, ...args], { env: { ...process.env, SSHIELD_DATA_DIR: dataDir, SSHIELD_TODAY: today, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('data update from the tracker JSON on loopback: stored, used by audit; the second run keeps the previous copy', async () => {
  const r = await sshield(['data', 'update', '--from', `${base}/tracker.json`, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { source: string; date: string; previousDate: string; changes: string[] };
  assert.deepEqual([j.source, j.previousDate, j.date], ['debian-tracker', '2026-12-04', '2026-12-05']);
  assert.ok(j.changes.includes('CVE-2026-60001 debian 13: no-fix -> fixed 1:10.0p1-7+deb13u5'), j.changes.join('\n'));
  assert.ok(existsSync(join(dataDir, 'openssh-vulns.json')));
  const show = JSON.parse((await sshield(['data', 'show', '--json'])).stdout) as { origin: string; date: string; newestUpstream: { version: string } };
  assert.deepEqual([show.origin, show.date, show.newestUpstream.version], [join(dataDir, 'openssh-vulns.json'), '2026-12-05', '10.7p1']);
  const audit = JSON.parse((await sshield(['audit', '--root', 'examples/pve9-default', '--json'])).stdout) as { vulns: { data: { date: string }; verdicts: { cve: string; verdict: string }[] } };
  assert.equal(audit.vulns.data.date, '2026-12-05');
  assert.ok(audit.vulns.verdicts.some((v) => v.cve === 'CVE-2099-0001'), 'the refreshed data is the one in use');
  const again = await sshield(['data', 'update', '--from', `${base}/tracker.json`]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(existsSync(join(dataDir, 'openssh-vulns.prev.json')), 'previous copy kept');
  assert.match(again.stdout, /previous copy kept as .*openssh-vulns\.prev\.json/);
});

test('older data and the (older) real OSV record are refused; the stored copy is untouched', async () => {
  const before = readFileSync(join(dataDir, 'openssh-vulns.json'), 'utf8');
  const old = await sshield(['data', 'update', '--from', `${base}/old-data.json`]);
  assert.equal(old.code, 3);
  assert.match(old.stderr, /refused: the new data \(2026-11-01\) is older than the current data \(2026-12-05\)/);
  const rec = await sshield(['data', 'update', '--from', `${base}/osv.json`]);
  assert.equal(rec.code, 3);
  assert.match(rec.stderr, /refused: the newest record was modified 2026-04-13/);
  assert.equal(readFileSync(join(dataDir, 'openssh-vulns.json'), 'utf8'), before);
});

test('an unreachable source keeps the data in use (exit 2); stale data is a warning in every report', async () => {
  const down = await sshield(['data', 'update', '--from', `${base}/missing`]);
  assert.equal(down.code, 2);
  assert.match(down.stderr, /HTTP 404.*stays in use/);
  const stale = await sshield(['audit', '--root', 'examples/pve9-default'], '2027-02-01');
  assert.match(stale.stdout, /^warning: vulnerability data from 2026-12-05 is 58 days old \(over 30\): run `sshield data update`$/m);
  const scanOut = await sshield(['data', 'show'], '2027-02-01');
  assert.match(scanOut.stdout, /^warning: vulnerability data from 2026-12-05 is 58 days old/);
});
