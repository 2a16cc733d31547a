// How sshd is managed and whether it runs. Management: systemd units ssh.service / sshd.service /
// ssh.socket under /etc/systemd/system, /lib/systemd/system or /usr/lib/systemd/system, enabled
// when linked from a *.target.wants directory (Debian names the unit ssh.service with the alias
// sshd.service; socket activation via ssh.socket means Port/ListenAddress come from the socket
// unit, not sshd_config). Running: on a local host only, the PidFile's pid (sshd_config(5)
// PidFile, default /run/sshd.pid) checked against /proc/<pid>/comm, else a /proc scan.
import type { HostExecutor } from '../executor.js';
import { type Fact, known, readText } from './types.js';

const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
const WANTS = ['/etc/systemd/system/multi-user.target.wants', '/etc/systemd/system/sockets.target.wants'];

export interface SystemdUnitInfo {
  readonly name: string;
  /** First directory where the unit file (or alias link) was found. */
  readonly path: string;
  readonly enabled: boolean;
  /** For an alias link, the unit it points to. */
  readonly aliasOf?: string;
}

export interface SshdService {
  readonly manager: 'systemd' | 'none-found';
  readonly units: readonly SystemdUnitInfo[];
  /** ssh.socket is enabled: sshd is started per connection (ListenStream= in the unit). */
  readonly socketActivated: boolean;
  readonly pidFile: string;
  /** Local hosts only: the live listener's pid; undefined when not running or unknown. */
  readonly pid?: number;
  /** 'yes'/'no' on a live host; 'unknown' when offline (with the reason). */
  readonly running: 'yes' | 'no' | 'unknown';
  readonly runningReason?: string;
}

export async function gatherSshdService(exec: HostExecutor, pidFile = '/run/sshd.pid'): Promise<Fact<SshdService>> {
  const fs = exec.fs;
  const units: SystemdUnitInfo[] = [];
  const wanted = new Set<string>();
  for (const d of WANTS) for (const n of (await fs.readDir(d).catch(() => undefined)) ?? []) wanted.add(n);
  for (const name of ['ssh.service', 'sshd.service', 'ssh.socket', 'ssh@.service']) {
    for (const dir of UNIT_DIRS) {
      const path = `${dir}/${name}`;
      const l = await fs.lstat(path).catch(() => undefined);
      if (!l) continue;
      let aliasOf: string | undefined;
      if (l.kind === 'symlink') {
        const t = await fs.readLink(path).catch(() => undefined);
        if (t === '/dev/null') continue; // masked
        aliasOf = t?.split('/').pop();
      }
      units.push({ name, path, enabled: wanted.has(name) || (aliasOf !== undefined && wanted.has(aliasOf)), ...(aliasOf ? { aliasOf } : {}) });
      break;
    }
  }
  const socketActivated = units.some((u) => u.name === 'ssh.socket' && u.enabled);
  const base = { manager: units.length ? ('systemd' as const) : ('none-found' as const), units, socketActivated, pidFile };
  if (exec.kind !== 'local') {
    return known({ ...base, running: 'unknown', runningReason: `cannot see processes on an offline ${exec.kind} host` });
  }
  const isSshd = async (pid: number): Promise<boolean> => {
    const c = await readText(fs, `/proc/${pid}/comm`, 4096);
    return c.status === 'known' && /^sshd\b/.test(c.value.trim());
  };
  const p = await readText(fs, pidFile, 4096);
  const pid = p.status === 'known' ? Number(p.value.trim()) : NaN;
  if (Number.isInteger(pid) && pid > 0 && (await isSshd(pid))) return known({ ...base, pid, running: 'yes' });
  // No usable PidFile (socket activation, or a stale file): look for any sshd listener process.
  const procs = ((await fs.readDir('/proc').catch(() => undefined)) ?? []).filter((n) => /^\d+$/.test(n));
  for (const n of procs) {
    const cmd = await readText(fs, `/proc/${n}/cmdline`, 4096);
    const s = cmd.status === 'known' ? cmd.value.replace(/\0/g, ' ').trim() : '';
    // 9.2 retitles the listener "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups".
    if (/^sshd: .*\[listener\]/.test(s) || /^(\S*\/)?sshd( |$)/.test(s)) {
      return known({ ...base, pid: Number(n), running: 'yes', runningReason: `${pidFile} ${p.status === 'known' ? 'is stale' : 'is missing'}` });
    }
  }
  return known({ ...base, running: 'no', runningReason: p.status === 'known' ? `${pidFile} is stale` : `${pidFile} is missing and no sshd process found` });
}
