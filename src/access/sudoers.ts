// Who can become root through sudo, from sudo's own answer where there is one (`sudo -l -U USER`
// output: "User U may run the following commands on H:" followed by "(RUNAS) [TAGS:] CMNDS"
// lines), else from the sudoers files as sudoers(5) defines them: User_Alias/Runas_Alias/
// Cmnd_Alias, user lists with names, %group, #uid and ALL, runas lists (none given = root),
// command lists with ALL or a shell. A grant counts when it runs ALL (or a shell, su) as root or
// ALL. Negations are ignored (a "!" entry can only narrow, and over-counting who must keep a way
// in is the safe side). Host lists are assumed to match (sudo is asked on this host). Pure.

const SHELLS = /^(\/usr)?\/bin\/(ba|da|z|k|tc|c|fi)?sh$|^(\/usr)?\/bin\/su$|^(\/usr)?\/bin\/sudoedit$/;

export interface SudoGrants {
  readonly users: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
  readonly uids: ReadonlySet<number>;
  /** "ALL" in a user list: every account. */
  readonly everyone: boolean;
  /** file:line of each grant, for messages. */
  readonly origins: ReadonlyMap<string, string>;
}

/** sudoers logical lines: backslash continuation joined, comments dropped (not #include / #uid). */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const start = i;
    let l = raw[i]!;
    while (l.endsWith('\\') && i + 1 < raw.length) l = l.slice(0, -1) + raw[++i]!;
    const t = l.trim();
    if (t === '' || /^[#@]include/.test(t)) continue;
    if (t.startsWith('#') && !/^#\d/.test(t)) continue;
    out.push({ text: t.replace(/\s#(?!\d).*$/, ''), line: start + 1 });
  }
  return out;
}

const splitList = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

export function parseSudoers(files: ReadonlyMap<string, string>): SudoGrants {
  const aliases = { User_Alias: new Map<string, string[]>(), Runas_Alias: new Map<string, string[]>(), Cmnd_Alias: new Map<string, string[]>(), Host_Alias: new Map<string, string[]>() };
  const specs: { users: string[]; runas: string[] | undefined; cmnds: string[]; at: string }[] = [];
  for (const [path, text] of files) {
    for (const { text: l, line } of logicalLines(text)) {
      const at = `${path}:${line}`;
      const am = /^(User_Alias|Runas_Alias|Cmnd_Alias|Cmd_Alias|Host_Alias)\s+(.*)$/.exec(l);
      if (am) {
        const kind = (am[1] === 'Cmd_Alias' ? 'Cmnd_Alias' : am[1]) as keyof typeof aliases;
        for (const def of am[2]!.split(/\s*:\s*(?=[A-Z][A-Z0-9_]*\s*=)/)) {
          const eq = def.indexOf('=');
          if (eq > 0) aliases[kind].set(def.slice(0, eq).trim(), splitList(def.slice(eq + 1)));
        }
        continue;
      }
      if (/^Defaults[\s:@!>]/.test(l) || l === 'Defaults') continue;
      const eq = l.indexOf('=');
      if (eq < 0) continue;
      const left = l.slice(0, eq).trim();
      // "user1, %group host1, host2": the user list ends at the first blank not after a comma.
      const m = /^((?:[^\s,]+\s*,\s*)*[^\s,]+)\s+(.+)$/.exec(left);
      if (!m) continue;
      const users = splitList(m[1]!);
      // Right side: [ (runas) ] [TAG: ...] cmnd, [ (runas) ] cmnd ... ; further " : host = ..." parts.
      for (const part of l.slice(eq + 1).split(/\s:\s*[^=(]+=\s*/)) {
        let curRunas: string[] | undefined;
        for (let c of splitList(part)) {
          const r = /^\(([^)]*)\)\s*(.*)$/.exec(c);
          if (r) {
            curRunas = splitList(r[1]!.split(':')[0]!);
            c = r[2]!;
          }
          c = c.replace(/^(?:[A-Z_]+:\s*)+/, '').trim();
          if (c) specs.push({ users, runas: curRunas, cmnds: [c], at });
        }
      }
    }
  }
  const expand = (list: string[], map: Map<string, string[]>, depth = 0): string[] =>
    depth > 8 ? list : list.flatMap((x) => (map.has(x) ? expand(map.get(x)!, map, depth + 1) : [x]));
  const users = new Set<string>();
  const groups = new Set<string>();
  const uids = new Set<number>();
  const origins = new Map<string, string>();
  let everyone = false;
  for (const s of specs) {
    const runas = s.runas === undefined ? ['root'] : s.runas.length === 0 ? ['root'] : expand(s.runas, aliases.Runas_Alias);
    if (!runas.some((r) => r === 'ALL' || r === 'root' || r === '#0')) continue;
    const cmnds = expand(s.cmnds, aliases.Cmnd_Alias).filter((c) => !c.startsWith('!'));
    if (!cmnds.some((c) => c === 'ALL' || SHELLS.test(c.split(/\s+/)[0]!))) continue;
    for (const u of expand(s.users, aliases.User_Alias)) {
      if (u.startsWith('!')) continue;
      if (u === 'ALL') everyone = true;
      else if (u.startsWith('%:')) groups.add(u.slice(2));
      else if (u.startsWith('%#')) continue;
      else if (u.startsWith('%')) groups.add(u.slice(1));
      else if (/^#\d+$/.test(u)) uids.add(Number(u.slice(1)));
      else if (!u.startsWith('+')) users.add(u);
      else continue;
      if (!origins.has(u)) origins.set(u, s.at);
    }
  }
  return { users, groups, uids, everyone, origins };
}

/** Whether `sudo -l -U` output grants running ALL (or a shell) as root. */
export function sudoListGrantsRoot(out: string): boolean {
  const i = out.search(/may run the following commands/);
  if (i < 0) return false;
  for (const l of out.slice(i).split('\n').slice(1)) {
    const m = /^\s+\(([^)]*)\)\s*(.*)$/.exec(l);
    if (!m) continue;
    const runas = splitList(m[1]!.split(':')[0]!);
    if (!runas.some((r) => r === 'ALL' || r === 'root')) continue;
    const cmnds = splitList(m[2]!.replace(/^(?:[A-Z_]+:\s*)+/, '')).map((c) => c.replace(/^(?:[A-Z_]+:\s*)+/, ''));
    if (cmnds.some((c) => c === 'ALL' || SHELLS.test(c.split(/\s+/)[0]!))) return true;
  }
  return false;
}
