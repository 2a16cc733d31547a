// What an upgrade needs to know, read through the ApplyHost (programs run with chroot under
// --root, so the root's own dpkg database and apt lists answer): the installed packages of the
// openssh source, their apt candidates (`apt-cache policy`: the host's lists and pins, no
// network), the distribution, and the candidate's changelog when apt can fetch the candidate
// openssh-client .deb (a mirror, or a file:// repository); the installed changelog comes from the
// target's files. Never throws for a missing piece: it becomes a note.
import type { ApplyHost } from '../apply/host.js';
import type { HostExecutor } from '../host/executor.js';
import { gatherOpensshChangelog } from '../host/facts/openssh-package.js';
import { decodeChangelog, parseDebianChangelog, type ChangelogEntry } from '../vulns/changelog.js';

export interface UpgradeFacts {
  readonly installed: Record<string, string>;
  readonly candidates: Record<string, string>;
  readonly distro?: { readonly id: string; readonly versionId?: string };
  readonly installedChangelog?: { readonly path: string; readonly entries: readonly ChangelogEntry[] };
  readonly candidateChangelog?: readonly ChangelogEntry[];
  readonly notes: readonly string[];
}


function argv(root: string | undefined, a: readonly string[]): [string, string[]] {
  const full = ['env', 'LC_ALL=C', ...a];
  return root === undefined ? [full[0]!, full.slice(1)] : ['chroot', [root, ...full]];
}

/** Parses `apt-cache policy P1 P2...`: per package, Installed and Candidate. */
export function parseAptPolicies(text: string): Record<string, { installed?: string; candidate?: string }> {
  const out: Record<string, { installed?: string; candidate?: string }> = {};
  let cur: string | undefined;
  for (const l of text.split('\n')) {
    const h = /^(\S+):$/.exec(l);
    if (h) {
      cur = h[1]!;
      out[cur] = {};
      continue;
    }
    const m = /^\s+(Installed|Candidate):\s*(\S+)/.exec(l);
    if (m && cur && m[2] !== '(none)') out[cur]![m[1] === 'Installed' ? 'installed' : 'candidate'] = m[2]!;
  }
  return out;
}

export async function gatherUpgradeFacts(machine: ApplyHost, target: HostExecutor, root: string | undefined): Promise<UpgradeFacts> {
  const notes: string[] = [];
  const run = (a: readonly string[], timeoutMs = 60_000) => {
    const [c, args] = argv(root, a);
    return machine.run(c, args, { timeoutMs, maxBuffer: 64 << 20 });
  };
  const q = await run(['dpkg-query', '-W', '-f', '${Package}\\t${Status}\\t${Version}\\t${source:Package}\\n']);
  const installed: Record<string, string> = {};
  for (const l of q.stdout.split('\n')) {
    const [pkg, status, version, source] = l.split('\t');
    if (pkg && version && status === 'install ok installed' && (source === 'openssh' || (!source && pkg.startsWith('openssh-')))) installed[pkg] = version;
  }
  if (q.code !== 0) notes.push(`dpkg-query failed: ${q.stderr.trim() || q.error}`);
  const candidates: Record<string, string> = {};
  if (Object.keys(installed).length) {
    const p = await run(['apt-cache', 'policy', ...Object.keys(installed)]);
    for (const [pkg, v] of Object.entries(parseAptPolicies(p.stdout))) if (v.candidate) candidates[pkg] = v.candidate;
    if (p.code !== 0) notes.push(`apt-cache policy failed: ${p.stderr.trim() || p.error}`);
  }
  const os = await target.fs.readFile('/etc/os-release');
  let distro: UpgradeFacts['distro'];
  if (os.ok) {
    const t = Buffer.from(os.bytes).toString('utf8');
    const id = /^ID="?([^"\n]+)"?$/m.exec(t)?.[1];
    const versionId = /^VERSION_ID="?([^"\n]+)"?$/m.exec(t)?.[1];
    if (id) distro = { id, ...(versionId ? { versionId } : {}) };
  }
  const cl = await gatherOpensshChangelog(target.fs);
  const installedChangelog = cl.status === 'known' ? cl.value : undefined;
  let candidateChangelog: ChangelogEntry[] | undefined;
  const cand = candidates['openssh-client'];
  if (cand && cand !== installed['openssh-client']) {
    const tmp = await machine.tempDir('sshield-upgrade-');
    const work = root === undefined ? tmp : `${root}/tmp/sshield-upgrade-${machine.pid}-${machine.now()}`;
    try {
      await machine.mkdirp(`${work}/partial`, 0o700);
      const inside = root === undefined ? work : work.slice(root.length);
      const d = await run(['apt-get', 'install', '-y', '--reinstall', '--download-only', '--allow-downgrades', '-o', `Dir::Cache::archives=${inside}`, `openssh-client=${cand}`], 120_000);
      const deb = ((await machine.fs.readDir(work)) ?? []).find((n) => n.startsWith('openssh-client_') && n.endsWith('.deb'));
      if (d.code === 0 && deb) {
        const x = await machine.run('dpkg-deb', ['-x', `${work}/${deb}`, `${work}/x`], { timeoutMs: 60_000 });
        const r = x.code === 0 ? await machine.fs.readFile(`${work}/x/usr/share/doc/openssh-client/changelog.Debian.gz`, 16 << 20) : undefined;
        if (r?.ok) candidateChangelog = parseDebianChangelog(decodeChangelog(r.bytes));
      }
      if (!candidateChangelog) notes.push(`the candidate's changelog could not be fetched (${(d.stderr || d.error || 'no package').trim().split('\n').pop()}): the CVEs it fixes come from sshield's data`);
    } finally {
      await machine.removeTree(work).catch(() => undefined);
      await machine.removeTree(tmp).catch(() => undefined);
    }
  }
  return { installed, candidates, ...(distro ? { distro } : {}), ...(installedChangelog ? { installedChangelog } : {}), ...(candidateChangelog ? { candidateChangelog } : {}), notes };
}
