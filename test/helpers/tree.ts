// Byte snapshots of a root's /etc/ssh, for tests that prove a run left files old-or-new.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every regular file under DIR/etc/ssh, keyed by its path relative to DIR, as bytes (latin1). */
export function etcSshSnapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile()) out.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(join(dir, 'etc/ssh'));
  return out;
}
