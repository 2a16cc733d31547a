// (e) A ChrootDirectory that sshd will refuse at login (session.c safely_chroot, OpenSSH 9.2p1:
// every component of the expanded path must exist, be a directory, be owned by root and not be
// group- or other-writable). Judged for every account whose predicted ChrootDirectory is new or
// changed (an old broken one is not this change's doing). Override: --allow-bad-chroot.
import { samplesOf, spec, type Guard } from './types.js';

export function expandChroot(p: string, u: { name: string; home: string; uid: number }): string {
  return p.replace(/%(.)/g, (_, c: string) => (c === '%' ? '%' : c === 'h' ? u.home : c === 'u' ? u.name : c === 'U' ? String(u.uid) : `%${c}`));
}

export function chrootComponents(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

export const badChroot: Guard = {
  id: 'bad-chroot',
  flag: '--allow-bad-chroot',
  summary: 'a ChrootDirectory sshd would refuse',
  check(ctx) {
    const bad: string[] = [];
    for (const u of ctx.facts.users) {
      // from every sample address (a Match Address block may set it for some clients only)
      const judged = new Set<string>();
      for (const addr of samplesOf(ctx)) {
        const s = spec(ctx, u.name, addr);
        const after = ctx.after(s).value('chrootdirectory') ?? 'none';
        if (after === 'none' || after === (ctx.before(s).value('chrootdirectory') ?? 'none')) continue;
        const path = expandChroot(after, u);
        if (judged.has(path)) continue;
        judged.add(path);
        if (!path.startsWith('/')) {
          bad.push(`${u.name}: ${path} does not begin at /`);
          continue;
        }
        for (const c of chrootComponents(path)) {
          const st = ctx.facts.chrootStats.get(c);
          const why = !st ? 'does not exist' : st.kind !== 'directory' ? 'is not a directory' : st.uid !== 0 ? `is owned by uid ${st.uid}, not root` : (st.mode & 0o022) !== 0 ? `is group- or other-writable (mode ${(st.mode & 0o777).toString(8)})` : undefined;
          if (why) {
            bad.push(`${u.name}: ${c} ${why}`);
            break;
          }
        }
      }
    }
    if (bad.length === 0) return { ok: true, message: 'no new ChrootDirectory, or every one is root-owned and not writable by others' };
    return { ok: false, message: `sshd would refuse the ChrootDirectory at login (session.c safely_chroot): ${bad.join('; ')}` };
  },
};
