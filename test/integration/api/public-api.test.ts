// The library through its public API only, as a consumer gets it: a scratch project whose
// node_modules/sshield is this package (a link, like `npm link`), run by plain node (no tsx) so
// that 'sshield' resolves through package.json "exports" to the built dist/index.js, and type
// checked by tsc against the shipped declarations (dist/types). It audits an example root (the
// same report as `sshield audit --root --json`), evaluates, plans and applies a hardening on a
// copy of a root, scans a live loopback sshd, and the exported names are exactly those the
// README's "Library" section documents.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { run, sshdAvailable, startSshd } from '../../helpers/sshd.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const EXPORTS = ['BUILD_IDS', 'applyPlan', 'audit', 'evaluateEffective', 'loadHost', 'parsePolicy', 'planHarden', 'scan', 'version'];
const TODAY = '2026-12-01';
let app = '';

before(() => {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  app = mkdtempSync(join(tmpdir(), 'sshield-consumer-'));
  mkdirSync(join(app, 'node_modules', '@types'), { recursive: true });
  symlinkSync(REPO, join(app, 'node_modules', 'sshield'));
  symlinkSync(join(REPO, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
});
after(() => rmSync(app, { recursive: true, force: true }));

/** Runs a consumer module with plain node in the scratch project; returns its parsed stdout. */
async function consumer(name: string, source: string, args: string[] = []): Promise<Record<string, unknown>> {
  writeFileSync(join(app, name), source);
  const r = await run(process.execPath, [join(app, name), ...args], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('exports exactly the documented names, each in the README "Library" section; the version is package.json\'s', async () => {
  const out = await consumer('names.mjs', "import * as sshield from 'sshield';\nconsole.log(JSON.stringify({ names: Object.keys(sshield).sort(), version: sshield.version }));\n");
  assert.deepEqual(out.names, EXPORTS);
  assert.equal(out.version, PKG.version);
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Library');
  assert.ok(start >= 0, 'README has a Library section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  for (const n of EXPORTS) assert.match(section, new RegExp(`\\b${n}\\b`), `README documents ${n}`);
});

test("a script importing only 'sshield' audits examples/pve9-default: the CLI's report, valid against the schema", async () => {
  const root = join(REPO, 'examples', 'pve9-default');
  const out = await consumer(
    'audit.mjs',
    `import { loadHost, audit, evaluateEffective } from 'sshield';
const host = await loadHost({ root: process.argv[2] });
const report = await audit(host, { today: '${TODAY}' });
const eff = await evaluateEffective(host, { spec: { user: 'root', addr: '203.0.113.9', host: 'x', laddr: '10.0.0.1', lport: 22 } });
console.log(JSON.stringify({ host, report, ok: eff.ok, permitRootLogin: eff.value('permitrootlogin'), origin: eff.get('permitrootlogin')?.origin }));
`,
    [root],
  );
  assert.deepEqual(out.host, { kind: 'root', label: `root:${root}`, configPath: '/etc/ssh/sshd_config', root, build: '10.0p1-debian' });
  assertMatchesSchema('audit', out.report, 'library audit');
  const cli = await run(process.execPath, [join(REPO, 'bin', 'sshield.js'), 'audit', '--root', root, '--json'], { env: { SSHIELD_TODAY: TODAY } });
  assert.deepEqual(out.report, JSON.parse(cli.stdout), 'the same report as sshield audit --root --json');
  assert.equal(out.ok, true);
  const eff = await run(process.execPath, [join(REPO, 'bin', 'sshield.js'), 'effective', '--root', root, '-C', 'user=root,addr=203.0.113.9,host=x,laddr=10.0.0.1,lport=22']);
  assert.match(eff.stdout, new RegExp(`^permitrootlogin ${out.permitRootLogin}$`, 'm'));
});

test('planHarden then applyPlan on a copy of a root, through the public API: applied and backed up, and a second plan changes nothing', async () => {
  const root = join(app, 'pve8-copy');
  cpSync(join(REPO, 'examples', 'pve8-default'), root, { recursive: true, verbatimSymlinks: true });
  const out = await consumer(
    'harden.mjs',
    `import { loadHost, planHarden, applyPlan, audit } from 'sshield';
const [root, backupDir] = process.argv.slice(2);
const host = await loadHost({ root });
const first = await planHarden(host, { profile: 'baseline', today: '${TODAY}', overrides: ['--allow-no-key-admin', '--allow-admin-lockout'] });
if (!first.ok) throw new Error(first.reason);
const applied = await applyPlan(first.plan, { backupDir });
const second = await planHarden(await loadHost({ root }), { profile: 'baseline', today: '${TODAY}', overrides: ['--allow-no-key-admin', '--allow-admin-lockout'] });
const report = await audit(host, { profile: 'baseline', today: '${TODAY}' });
console.log(JSON.stringify({ files: first.plan.files.map((f) => f.path), remediated: first.plan.remediated, outcome: applied.outcome, backup: applied.backup, again: second.plan?.files.length ?? 0, fixed: report.results.filter((r) => first.plan.remediated.includes(r.ruleId)).map((r) => r.status) }));
`,
    [root, join(app, 'backups')],
  );
  assert.ok((out.files as string[]).length >= 1, 'the plan changes a file');
  assert.equal((out.outcome as { kind: string }).kind, 'applied', JSON.stringify(out.outcome));
  assert.equal((out.backup as { id: string }).id, (out.outcome as { backupId: string }).backupId, 'the result says where the old files are');
  assert.equal(out.again, 0, 'a second plan changes nothing');
  assert.ok((out.fixed as string[]).every((s) => s === 'pass'), `every remediated rule passes now: ${JSON.stringify(out.fixed)}`);
  const backups = await run(process.execPath, [join(REPO, 'bin', 'sshield.js'), 'backups', '--backup-dir', join(app, 'backups'), '--json']);
  assert.equal((JSON.parse(backups.stdout) as { backups: { kind: string }[] }).backups[0]?.kind, 'harden');
});

test('scan through the public API: a live loopback sshd and a malformed target', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, async () => {
  const inst = await startSshd();
  try {
    const out = await consumer(
      'scan.mjs',
      `import { scan } from 'sshield';
const report = await scan([process.argv[2]], { timeoutMs: 10000 });
let error = '';
try { await scan(['host:99999']); } catch (e) { error = e instanceof TypeError ? e.message : 'not a TypeError'; }
console.log(JSON.stringify({ report, error }));
`,
      [`${inst.address}:${inst.port}`],
    );
    assertMatchesSchema('scan', out.report, 'library scan');
    assert.equal((out.report as { targets: { status: string }[] }).targets[0]?.status, 'ok');
    assert.match(out.error as string, /^scan: host:99999: /);
  } finally {
    await inst.stop();
  }
});

test('the shipped declarations type-check a TypeScript consumer (strict, no skipLibCheck) and reject a wrong call', async () => {
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'es2022', lib: ['es2023'], module: 'nodenext', moduleResolution: 'nodenext', types: ['node'], strict: true, noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true }, include: ['*.ts'] }),
  );
  writeFileSync(
    join(app, 'good.ts'),
    `import { loadHost, audit, evaluateEffective, scan, planHarden, applyPlan, parsePolicy, version, BUILD_IDS, type Host, type Report, type EffectiveConfig, type ScanReport, type HardenPlanResult, type ChangeResult, type Outcome, type ChangeEnvelope, type BuildId } from 'sshield';
const host: Host = await loadHost({ root: '/srv/image' });
const build: BuildId = host.build;
const report: Report = await audit(host, { profile: 'strict', admin: 'alice' });
const failing: number = report.summary.fail + report.results.filter((r) => r.status === 'fail').length;
const eff: EffectiveConfig = await evaluateEffective(host, { spec: { user: 'root', addr: '192.0.2.1' }, openssh: '10.0p1-debian' });
const prl: string | undefined = eff.value('permitrootlogin');
const policy = parsePolicy('extends: baseline\\n', 'policy.yaml');
if (policy.ok) await audit(host, { policy: policy.policy });
else for (const e of policy.errors) console.log(e.file, e.line, e.message);
const scanned: ScanReport = await scan(['192.0.2.1:22'], { user: 'root', hostKeys: true, timeoutMs: 3000 });
const planned: HardenPlanResult = await planHarden(host, { overrides: ['--allow-no-key-admin', '--allow-admin-lockout'] });
if (planned.plan) {
  const res: ChangeResult = await applyPlan(planned.plan, { backupDir: '/tmp/b', confirmTimeoutSec: 120 });
  const outcome: Outcome = res.outcome;
  if (outcome.kind === 'applied') console.log(outcome.backupId, res.backup?.dir, res.messages.length);
  const envelope = JSON.parse('{}') as ChangeEnvelope;
  console.log(envelope.outcome.exitCode, envelope.plan?.steps?.length);
}
console.log(version.length, BUILD_IDS.includes(build), failing, prl, scanned.summary.errors);
`,
  );
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const good = await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json'), '--listFiles'], { timeoutMs: 120_000 });
  assert.equal(good.code, 0, good.stdout + good.stderr);
  // Every declaration the consumer loads is sshield's own, a runtime dependency's, Node's or TypeScript's.
  const allowed = [join(REPO, 'dist', 'types'), join(REPO, 'node_modules', '@types', 'node'), join(REPO, 'node_modules', 'undici-types'), join(REPO, 'node_modules', '@typescript'), join(REPO, 'node_modules', 'typescript'), app, ...Object.keys(PKG.dependencies).map((d) => join(REPO, 'node_modules', d))];
  const loaded = good.stdout.split('\n').filter((l) => l.endsWith('.ts'));
  assert.ok(loaded.some((f) => f === join(REPO, 'dist', 'types', 'index.d.ts')), 'resolved through "exports" types');
  for (const f of loaded) assert.ok(allowed.some((a) => f.startsWith(`${a}/`)) || !f.startsWith('/'), `a consumer needs only runtime dependencies' types, loaded ${f}`);
  writeFileSync(join(app, 'bad.ts'), "import { loadHost, audit } from 'sshield';\nawait audit(await loadHost(), { profile: 'lenient' });\n");
  const bad = await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { timeoutMs: 120_000 });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /bad\.ts.*'"lenient"' is not assignable/);
  rmSync(join(app, 'bad.ts'));
});
