// The dpkg status database (/var/lib/dpkg/status, deb822 stanzas separated by blank lines,
// continuation lines start with a space or tab). Only packages whose Status is
// "install ok installed" (want/error/state, dpkg(1) "Package states") count as installed;
// deinstalled ("deinstall ok config-files"), half-installed and unpacked ones are kept but flagged.
import type { ReadOnlyFs } from '../fs.js';
import { type Fact, known, lines, readText } from './types.js';

export interface DpkgPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture?: string;
  readonly status: string;
  /** Status is exactly "install ok installed" (or "hold ok installed"). */
  readonly installed: boolean;
  readonly source?: string;
}

export interface DpkgDatabase {
  readonly packages: ReadonlyMap<string, DpkgPackage>;
  /** The installed package of that name (any architecture), or undefined. */
  installed(name: string): DpkgPackage | undefined;
}

export function parseDpkgStatus(text: string): DpkgDatabase {
  const packages = new Map<string, DpkgPackage>();
  let fields: Record<string, string> = {};
  let last: string | undefined;
  const flush = (): void => {
    const name = fields.package;
    if (name) {
      const status = (fields.status ?? '').trim().replace(/\s+/g, ' ');
      const st = status.split(' ');
      const installed = (st[0] === 'install' || st[0] === 'hold') && st[1] === 'ok' && st[2] === 'installed';
      const pkg: DpkgPackage = {
        name,
        version: (fields.version ?? '').trim(),
        status,
        installed,
        ...(fields.architecture ? { architecture: fields.architecture.trim() } : {}),
        ...(fields.source ? { source: fields.source.trim() } : {}),
      };
      const prev = packages.get(name);
      // Multi-arch: several stanzas may share a name; an installed one wins.
      if (!prev || (!prev.installed && installed)) packages.set(name, pkg);
    }
    fields = {};
    last = undefined;
  };
  for (const line of lines(text)) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      fields[last] += `\n${line.slice(1)}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).toLowerCase();
    fields[last] = line.slice(colon + 1).trim();
  }
  flush();
  return {
    packages,
    installed: (name) => {
      const p = packages.get(name);
      return p?.installed ? p : undefined;
    },
  };
}

export async function gatherDpkg(fs: ReadOnlyFs): Promise<Fact<DpkgDatabase>> {
  const t = await readText(fs, '/var/lib/dpkg/status', 64 << 20);
  return t.status === 'known' ? known(parseDpkgStatus(t.value)) : t;
}
