// `ca sign-host --root DIR` on a copy of the PVE cluster node example: every default host key with
// a .pub is signed by the host CA (real ssh-keygen; the certificates say "host certificate" with
// the given names), installed beside it with a HostCertificate line each, through the writer (a
// backup that `restore` undoes); the cluster's files under /etc/pve stay byte-identical, a second
// run renews without adding lines, and --dry-run issues no serial.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { run } from '../../helpers/sshd.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

let dir = '';
const REPO = resolve(import.meta.dirname, '..', '..', '..');

function sshield(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { timeoutMs: 120_000, env: { HOME: '/root', USER: 'root', NO_COLOR: '1', SSHIELD_LOCK_DIR: join(dir, 'locks') } });
}
function treeHash(p: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const f = join(d, n);
      const st = statSync(f);
      h.update(`${f.slice(p.length)}:${st.mode}:`);
      if (st.isDirectory()) walk(f);
      else h.update(readFileSync(f));
    }
  };
  walk(p);
  return h.digest('hex');
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshield-ca-root-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('ca sign-host --root: host certificates and HostCertificate lines in the image, /etc/pve untouched, restore undoes it, a renewal adds no line', { timeout: 180_000 }, async () => {
  const root = join(dir, 'root');
  cpSync(join(REPO, 'examples', 'pve-cluster-node'), root, { recursive: true, verbatimSymlinks: true });
  const ca = join(dir, 'ca');
  assert.equal((await sshield('ca', 'init', '--dir', ca)).code, 0);
  const pve = treeHash(join(root, 'etc/pve'));
  const cfg = join(root, 'etc/ssh/sshd_config');
  const before = readFileSync(cfg, 'utf8');
  const args = ['ca', 'sign-host', '--dir', ca, '--root', root, '--hostnames', 'pve1,pve1.example.com', '--backup-dir', join(dir, 'backups')];

  const dry = await sshield(...args, '--dry-run', '--json');
  assert.equal(dry.code, 0, dry.stderr);
  assertMatchesSchema('ca-sign-host', dry.stdout);
  assert.equal(JSON.parse(readFileSync(join(ca, 'ledger.json'), 'utf8')).nextSerial, 1);
  assert.equal(readFileSync(cfg, 'utf8'), before);

  const r = await sshield(...args, '--yes', '--json');
  assert.equal(r.code, 0, r.stderr);
  assertMatchesSchema('ca-sign-host', r.stdout);
  const env = JSON.parse(r.stdout) as { outcome: { kind: string; backupId: string }; plan: { details: { knownHostsLine: string; issued: { serial: number; certificate: string }[] } } };
  assert.equal(env.outcome.kind, 'applied');
  const pubs = readdirSync(join(root, 'etc/ssh')).filter((n) => /^ssh_host_.*_key\.pub$/.test(n)).sort();
  assert.ok(pubs.length >= 1);
  assert.equal(env.plan.details.issued.length, pubs.length);
  assert.match(env.plan.details.knownHostsLine, /^@cert-authority pve1,pve1\.example\.com ssh-ed25519 /);
  const after = readFileSync(cfg, 'utf8');
  for (const p of pubs) {
    const cert = join(root, 'etc/ssh', p.replace(/\.pub$/, '-cert.pub'));
    const shown = (await run('ssh-keygen', ['-L', '-f', cert])).stdout;
    assert.match(shown, /host certificate/);
    assert.match(shown, /Principals: \n\s+pve1\n\s+pve1\.example\.com\n/);
    assert.match(after, new RegExp(`^HostCertificate /etc/ssh/${p.replace(/\.pub$/, '-cert.pub').replaceAll('.', '\\.')}$`, 'm'));
  }
  assert.equal(after.slice(0, before.length), before, 'every existing byte kept; the lines are appended');
  assert.equal(treeHash(join(root, 'etc/pve')), pve, '/etc/pve untouched');

  const undo = await sshield('restore', env.outcome.backupId, '--backup-dir', join(dir, 'backups'), '--yes');
  assert.equal(undo.code, 0, undo.stderr + undo.stdout);
  assert.equal(readFileSync(cfg, 'utf8'), before, 'restore puts the old bytes back');
  for (const p of pubs) assert.throws(() => statSync(join(root, 'etc/ssh', p.replace(/\.pub$/, '-cert.pub'))), 'the certificate files it created are gone');

  for (let i = 0; i < 2; i++) assert.equal((await sshield(...args, '--yes')).code, 0);
  assert.equal(readFileSync(cfg, 'utf8'), after, 'signed again and renewed: the same lines, no second set');
});
