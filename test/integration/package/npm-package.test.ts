// The npm package as a user gets it: `npm pack`, then `npm install -g` of the tarball into a
// temporary prefix with no network (--offline, an empty cache, a registry that does not answer):
// zero runtime dependencies, no install script, nothing compiled (no node-gyp, no .node addon),
// LICENSE/README/rule docs inside, no sourcemap; the installed `sshield` runs an audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve('.');
let dir = '';
let tarball = '';

function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? [p, ...walk(p)] : [p];
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshield-npm-'));
  if (!existsSync(join(REPO, 'dist', 'sshield.cjs'))) execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  tarball = join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the tarball: LICENSE, README, rule docs, the bundle; no sourcemap; zero runtime dependencies, no install scripts', () => {
  const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of ['package/LICENSE', 'package/README.md', 'package/bin/sshield.js', 'package/dist/sshield.cjs', 'package/docs/rules/sshd-no-root-login.md', 'package/docs/rules/scan-no-terrapin.md']) assert.ok(files.includes(f), `${f} is in the package`);
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), [], 'no sourcemap');
  assert.deepEqual(files.filter((f) => /sshield-linux-x64|\.deb$/.test(f)), [], 'neither the single executable nor the .deb');
  assert.ok(statSync(tarball).size < 5 * 1024 * 1024, `the tarball is small (${statSync(tarball).size} bytes)`);
  for (const f of ['package/dist/cli-docs/sshield.1', 'package/dist/cli-docs/sshield.bash']) assert.ok(files.includes(f), `${f}: man page and completions`);
  const pkg = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { license: string; dependencies?: Record<string, string>; optionalDependencies?: unknown; peerDependencies?: unknown; scripts?: Record<string, string> };
  assert.equal(pkg.license, 'MIT');
  assert.match(execFileSync('tar', ['xzOf', tarball, 'package/LICENSE'], { encoding: 'utf8' }), /^MIT License/);
  assert.deepEqual(pkg.dependencies ?? {}, {}, 'the bundle carries what it needs');
  assert.equal(pkg.optionalDependencies, undefined);
  assert.equal(pkg.peerDependencies, undefined);
  for (const s of ['preinstall', 'install', 'postinstall']) assert.equal(pkg.scripts?.[s], undefined, `no ${s} script`);
});

test('npm install -g of the tarball with no network: nothing fetched or compiled, sshield audit works', () => {
  const prefix = join(dir, 'prefix');
  const env = { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: join(dir, 'cache'), npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };
  const inst = spawnSync('npm', ['install', '-g', '--offline', '--foreground-scripts', '--loglevel', 'verbose', '--prefix', prefix, tarball], { encoding: 'utf8', env, timeout: 300_000 });
  assert.equal(inst.status, 0, inst.stderr);
  assert.doesNotMatch(inst.stdout + inst.stderr, /node-gyp|gyp info|cpu-features|sshcrypto/, 'nothing compiled');
  assert.match(inst.stdout + inst.stderr, /added 1 package/, 'one package, no dependency');
  const installed = join(prefix, 'lib', 'node_modules', 'sshield');
  const all = walk(installed);
  assert.deepEqual(all.filter((f) => f.endsWith('.node') || /\/(build|node_modules)$/.test(f)), [], 'no native addon, no build dir, no nested node_modules');
  const bin = join(prefix, 'bin', 'sshield');
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
  const audit = spawnSync(bin, ['audit', '--root', join(REPO, 'examples', 'pve9-default')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(audit.status, 1, audit.stderr);
  assert.match(audit.stdout, /^Failed \(\d+\)$/m);
  assert.match(audit.stdout, /sshd\/no-root-login/);
  assert.ok(existsSync(join(prefix, 'share', 'man', 'man1', 'sshield.1')), 'npm links the man page into the prefix');
  const man = spawnSync('man', ['-w', 'sshield'], { encoding: 'utf8', env: { ...process.env, MANPATH: join(prefix, 'share', 'man') } });
  assert.equal(realpathSync(man.stdout.trim()), realpathSync(join(prefix, 'share', 'man', 'man1', 'sshield.1')), man.stderr);
  const sarif = JSON.parse(spawnSync(bin, ['audit', '--root', join(REPO, 'examples', 'hardened'), '--format', 'sarif'], { encoding: 'utf8' }).stdout) as { runs: { tool: { driver: { rules: { helpUri?: string }[] } } }[] };
  assert.ok(sarif.runs[0]!.tool.driver.rules.every((r) => r.helpUri?.startsWith(`file://${installed}/docs/rules/`)), 'SARIF help links point at the installed rule pages');
});
