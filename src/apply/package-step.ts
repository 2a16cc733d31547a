// The 'install-packages' plan step (plan.ts InstallPackagesStep) for host-steps.ts: keep the
// installed .debs, upgrade with apt to the planned versions (no service restarted meanwhile:
// policy-rc.d), check the new sshd accepts the config; undo reinstalls the kept .debs with
// dpkg -i (and restarts a live daemon). Every program
// runs through host.run (no shell); under --root inside the root with chroot, so dpkg, apt and the
// maintainer scripts see the root as "/" (Debian's invoke-rc.d/deb-systemd-invoke start nothing
// in a chroot). apt runs with DEBIAN_FRONTEND=noninteractive and --force-confold (an admin's
// edited sshd_config is kept, never replaced by the package's).
import type { ApplyHost } from './host.js';
import type { InstallPackagesStep } from './plan.js';
import { reloadDaemon } from './reload.js';

const inRoot = (root: string | undefined, p: string): string => (root === undefined ? p : `${root.replace(/\/+$/, '')}${p}`);

function cmd(root: string | undefined, argv: readonly string[]): [string, string[]] {
  const full = ['env', 'DEBIAN_FRONTEND=noninteractive', 'LC_ALL=C', ...argv];
  return root === undefined ? [full[0]!, full.slice(1)] : ['chroot', [root, ...full]];
}

async function run(host: ApplyHost, root: string | undefined, argv: readonly string[], timeoutMs = 600_000) {
  const [c, a] = cmd(root, argv);
  return host.run(c, a, { timeoutMs, maxBuffer: 16 << 20 });
}

async function must(host: ApplyHost, root: string | undefined, argv: readonly string[], timeoutMs?: number): Promise<string> {
  const r = await run(host, root, argv, timeoutMs);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${(r.stderr || r.error || `exit ${r.code}`).trim().split('\n').slice(-3).join(' / ')}`);
  return r.stdout;
}

/** Installed versions ("install ok installed" only) of the named packages. */
export async function installedVersions(host: ApplyHost, root: string | undefined, pkgs: readonly string[]): Promise<Record<string, string>> {
  const r = await run(host, root, ['dpkg-query', '-W', '-f', '${Package} ${Status} ${Version}\\n', ...pkgs], 30_000);
  const out: Record<string, string> = {};
  for (const l of r.stdout.split('\n')) {
    const m = /^(\S+) install ok installed (\S+)$/.exec(l.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const debName = (pkg: string, version: string): string => `${pkg}_${version.replace(/:/g, '%3a')}_`;

async function keptDebs(host: ApplyHost, s: InstallPackagesStep): Promise<Record<string, string>> {
  const names = (await host.fs.readDir(inRoot(s.root, s.keepDir))) ?? [];
  const out: Record<string, string> = {};
  for (const [pkg, v] of Object.entries(s.before.versions)) {
    const f = names.find((n) => n.startsWith(debName(pkg, v)) && n.endsWith('.deb'));
    if (f) out[pkg] = `${s.keepDir}/${f}`;
  }
  return out;
}

/** Keeps the installed .debs: from apt's cache when there, else downloaded again by apt into keepDir. */
async function keep(host: ApplyHost, s: InstallPackagesStep): Promise<Record<string, string>> {
  await host.mkdirp(inRoot(s.root, `${s.keepDir}/partial`), 0o700);
  let have = await keptDebs(host, s);
  for (const [pkg, v] of Object.entries(s.before.versions)) {
    if (have[pkg]) continue;
    const cached = ((await host.fs.readDir(inRoot(s.root, '/var/cache/apt/archives'))) ?? []).find((n) => n.startsWith(debName(pkg, v)) && n.endsWith('.deb'));
    if (cached) {
      const r = await host.fs.readFile(inRoot(s.root, `/var/cache/apt/archives/${cached}`), 256 << 20);
      if (r.ok) await host.writeFile(inRoot(s.root, `${s.keepDir}/${cached}`), r.bytes, { mode: 0o600 });
    }
  }
  have = await keptDebs(host, s);
  const missing = Object.entries(s.before.versions).filter(([p]) => !have[p]);
  if (missing.length) {
    await must(host, s.root, ['apt-get', 'install', '-y', '--reinstall', '--download-only', '--allow-downgrades', '-o', `Dir::Cache::archives=${s.keepDir}`, ...missing.map(([p, v]) => `${p}=${v}`)]);
    have = await keptDebs(host, s);
  }
  const still = Object.keys(s.before.versions).filter((p) => !have[p]);
  if (still.length) throw new Error(`cannot keep the installed ${still.join(', ')} for a rollback (not in apt's cache and not downloadable): nothing was changed`);
  return have;
}

export async function checkInstall(host: ApplyHost, s: InstallPackagesStep): Promise<string | undefined> {
  const now = await installedVersions(host, s.root, Object.keys(s.before.versions));
  for (const [p, v] of Object.entries(s.before.versions)) if (now[p] !== v) return `${p} is ${now[p] ?? 'not installed'} now, not ${v}`;
  return undefined;
}

/**
 * policy-rc.d(8) while apt runs: openssh-server's postinst restarts ssh.service as soon as the new
 * binary is unpacked, before this step's `sshd -t`; a candidate that rejects the config would then
 * leave the daemon stopped. With it, invoke-rc.d/deb-systemd-invoke start nothing; the pipeline
 * reloads the daemon itself once `sshd -t` passed (and the undo restarts it on the kept
 * packages). An admin's own policy-rc.d is left as it is; ours carries a marker, is removed when
 * apt is done, and a run killed meanwhile leaves it to the undo of the next run's recovery.
 */
const POLICY_RC = '/usr/sbin/policy-rc.d';
const POLICY_MARK = '# sshield upgrade: no service starts while the packages change';
const POLICY_TEXT = `#!/bin/sh\n${POLICY_MARK}; sshield reloads sshd itself after sshd -t\nexit 101\n`;

async function holdServices(host: ApplyHost, s: InstallPackagesStep): Promise<boolean> {
  return (await host.createExclusive(inRoot(s.root, POLICY_RC), Buffer.from(POLICY_TEXT), 0o755)) === 'ok';
}

/** Removes our policy-rc.d (never an admin's: only a file carrying our marker). */
async function releaseServices(host: ApplyHost, s: InstallPackagesStep): Promise<void> {
  const r = await host.fs.readFile(inRoot(s.root, POLICY_RC), 4096);
  if (r.ok && Buffer.from(r.bytes).toString('latin1').includes(POLICY_MARK)) await host.remove(inRoot(s.root, POLICY_RC));
}

export async function applyInstall(host: ApplyHost, s: InstallPackagesStep): Promise<void> {
  await keep(host, s);
  const held = await holdServices(host, s);
  try {
    await must(host, s.root, ['apt-get', 'install', '-y', '--only-upgrade', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confold', ...Object.entries(s.packages).map(([p, v]) => `${p}=${v}`)]);
  } finally {
    if (held) await releaseServices(host, s);
  }
  const now = await installedVersions(host, s.root, Object.keys(s.packages));
  for (const [p, v] of Object.entries(s.packages)) if (now[p] !== v) throw new Error(`apt-get reported success but ${p} is ${now[p] ?? 'not installed'}, not ${v}`);
  const t = await run(host, s.root, [s.sshd, '-t', '-f', s.configPath], 60_000);
  if (t.code !== 0) throw new Error(`the new sshd rejects ${s.configPath}: ${(t.stderr || t.error || `exit ${t.code}`).trim()}`);
}

export async function undoInstall(host: ApplyHost, s: InstallPackagesStep): Promise<string | undefined> {
  await releaseServices(host, s); // left by a run killed while apt ran
  const now = await installedVersions(host, s.root, Object.keys(s.before.versions));
  if (Object.entries(s.before.versions).every(([p, v]) => now[p] === v)) return undefined;
  const debs = await keptDebs(host, s);
  const missing = Object.keys(s.before.versions).filter((p) => !debs[p]);
  if (missing.length) return `the kept packages of ${missing.join(', ')} are gone from ${inRoot(s.root, s.keepDir)}: reinstall ${missing.map((p) => `${p}=${s.before.versions[p]}`).join(' ')} by hand`;
  await must(host, s.root, ['dpkg', '-i', '--force-confold', '--force-downgrade', ...Object.values(debs)]);
  const after = await installedVersions(host, s.root, Object.keys(s.before.versions));
  const wrong = Object.entries(s.before.versions).filter(([p, v]) => after[p] !== v);
  if (wrong.length) return `reinstalling the kept packages left ${wrong.map(([p]) => `${p} at ${after[p] ?? 'not installed'}`).join(', ')}`;
  if (s.restart.kind !== 'none') {
    const t = await run(host, s.root, [s.sshd, '-t', '-f', s.configPath], 60_000);
    if (t.code !== 0) return `the kept packages are back, but their sshd rejects ${s.configPath}: ${t.stderr.trim()}; the daemon was not restarted`;
    const r = await reloadDaemon(host, s.restart);
    if (!r.ok) return `the kept packages are back, but restarting the daemon failed: ${r.reason}`;
  }
  return undefined;
}

/** How to take a package upgrade back by hand: the versions to reinstall and the exact command. */
export interface PackageRollback {
  /** package -> the version installed before the upgrade. */
  readonly versions: Readonly<Record<string, string>>;
  /** Whether the kept .debs are all still there (the command installs them), else the archive's versions. */
  readonly fromKeptDebs: boolean;
  /** The exact command, as root on this machine (under --root: through chroot). */
  readonly command: string;
}

/** The rollback of an upgrade step, or undefined when every package is at its old version already. */
export async function packageRollback(host: ApplyHost, s: InstallPackagesStep): Promise<PackageRollback | undefined> {
  const pkgs = Object.keys(s.before.versions);
  const now = await installedVersions(host, s.root, pkgs);
  if (pkgs.every((p) => now[p] === s.before.versions[p])) return undefined;
  const debs = await keptDebs(host, s);
  const fromKeptDebs = pkgs.every((p) => debs[p] !== undefined);
  // apt installs a local .deb named by a path (and then checks its dependencies); without the
  // kept files, the old versions by name (they must still be in the apt lists).
  const args = fromKeptDebs ? pkgs.map((p) => debs[p]!) : pkgs.map((p) => `${p}=${s.before.versions[p]}`);
  const apt = `apt-get install --allow-downgrades -o Dpkg::Options::=--force-confold ${args.join(' ')}`;
  // The daemon re-executes the old binary only once restarted (a unit's postinst does it, a daemon started by hand does not).
  const restart = s.restart.kind === 'systemd' ? ` && systemctl restart ${s.restart.unit}` : s.restart.kind === 'pidfile' ? ` && kill -HUP "$(cat ${s.restart.pidFile})"` : '';
  return { versions: s.before.versions, fromKeptDebs, command: `${s.root === undefined ? apt : `chroot ${s.root} ${apt}`}${restart}` };
}

/** restore: a package upgrade is not replayed backwards by `sshield restore`; the note says exactly how. */
export async function inverseInstall(host: ApplyHost, s: InstallPackagesStep): Promise<string | undefined> {
  const r = await packageRollback(host, s);
  if (!r) return undefined;
  const list = Object.entries(r.versions).map(([p, v]) => `${p} ${v}`).join(', ');
  const from = r.fromKeptDebs ? `the .debs kept in ${inRoot(s.root, s.keepDir)}` : `the apt archive (the kept .debs in ${inRoot(s.root, s.keepDir)} are gone)`;
  return `restore does not downgrade packages: to go back to ${list} from ${from}, run as root: ${r.command}`;
}
