// What to run next after an audit, derived from the report alone (so text, HTML and a report
// rendered later from saved JSON say the same): how many failures `sshield harden` would fix,
// the allow-list command when logins are not limited, `sshield upgrade` when the build has open CVEs.
// Pure; it names commands, it never decides what is safe (harden's guards do that).
import type { Report } from './types.js';

export interface NextStep {
  /** The command to run, ready to paste. */
  readonly command: string;
  /** What it does for this report, e.g. "fixes 9 of 12 failed rules". */
  readonly why: string;
}

const UPGRADE = /--only-upgrade\s+openssh-server/;

/** The flags that point a command at the same target as this report (`--root DIR`, `-f FILE`). */
export function targetArgs(report: Report): string {
  const t = report.target;
  if (t.kind === 'root' && t.label.startsWith('root:')) return ` --root ${shellWord(t.label.slice(5))}`;
  if (t.kind === 'file') return ` -f ${shellWord(t.config ?? t.label)}`;
  return '';
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

export function nextSteps(report: Report): NextStep[] {
  const failed = report.results.filter((r) => r.status === 'fail' && !r.waived);
  if (failed.length === 0) return [];
  const steps: NextStep[] = [];
  const on = targetArgs(report);
  const fixable = failed.filter((r) => r.remediation.some((m) => m.kind === 'set' || m.kind === 'comment-out' || m.kind === 'filter-moduli'));
  const profile = report.profile.source ? ` --profile ${shellWord(report.profile.source)}` : report.profile.name !== 'baseline' && report.profile.name !== 'proxmox' ? ` --profile ${report.profile.name}` : '';
  if (fixable.length > 0) {
    steps.push({ command: `sshield harden --dry-run${profile}${on}`, why: `shows the plan that fixes ${fixable.length} of ${failed.length} failed rule${failed.length === 1 ? '' : 's'} (then run it without --dry-run)` });
  }
  if (failed.some((r) => r.ruleId === 'sshd/require-allowlist')) {
    steps.push({ command: `sshield allow add <your admin network>${on}`, why: 'only your networks may log in (e.g. 192.0.2.0/24; your own session is kept)' });
  }
  const upgrade = failed.filter((r) => r.remediation.some((m) => m.kind === 'manual' && m.command !== undefined && UPGRADE.test(m.command)));
  if (upgrade.length > 0) {
    // With the verdicts in the report, only the CVEs an upgrade fixes (fix-available) count.
    const cves = report.vulns
      ? new Set(report.vulns.verdicts.filter((v) => v.verdict === 'fix-available' && !v.waived).map((v) => v.cve))
      : new Set(upgrade.flatMap((r) => r.cves ?? []));
    // `sshield upgrade` (not a bare apt-get): it shows what apt would install and the CVEs that
    // fixes, then upgrades through the change flow (sshd -t, reload, verify, rollback). It works on
    // this host or an offline root, never on a lone config file (-f), so only --root is passed on.
    const root = report.target.kind === 'root' ? on : '';
    steps.push({
      command: `sshield upgrade --dry-run${root}`,
      why: `shows what apt would install for OpenSSH${cves.size > 0 ? ` (${cves.size} open CVE${cves.size === 1 ? '' : 's'})` : ''} and the CVEs it fixes; then run it without --dry-run (old packages kept, rolled back on failure)`,
    });
  }
  return steps;
}
