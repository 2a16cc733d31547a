// keys/require-safe-permissions: each authorized_keys file, and every directory of its real path
// up to the home (or "/"), passes what sshd checks before reading it: auth2-pubkeyfile.c
// auth_openfile (a regular file, always) and, with StrictModes, misc.c safe_path +
// secure_permissions (OpenSSH 9.2, Debian 1:9.2p1-2): owned by root or the account, not writable
// by others, not writable by the group unless the group's only member is the account (Debian's
// user-group-modes patch). A symlink is judged by its target (Proxmox's /root/.ssh/authorized_keys
// -> /etc/pve/priv/authorized_keys, root-owned, passes). Locations are file:0 (the whole file).
import { defineRule } from '../define-rule.js';
import { man } from '../references.js';
import { isMissing, type AuthorizedKeysFileFact, type PathModeFact } from '../types.js';

const octal = (m: number) => m.toString(8).padStart(4, '0');

function problemOf(p: PathModeFact, f: AuthorizedKeysFileFact, isFile: boolean): string | undefined {
  if (!p.stat) return `${p.path} cannot be examined (sshd's stat fails: refused)`;
  const s = p.stat;
  if (isFile && s.kind !== 'file') return `${p.path} is not a regular file`;
  if (s.uid !== 0 && s.uid !== f.uid) return `${p.path} is owned by uid ${s.uid}, neither root nor ${f.user}`;
  if (s.mode & 0o002) return `${p.path} is writable by others (mode ${octal(s.mode)})`;
  if (s.mode & 0o020 && !p.privateGroup) return `${p.path} is writable by its group gid ${s.gid}, which has members other than ${f.user} (mode ${octal(s.mode)})`;
  return undefined;
}

export default defineRule({
  meta: {
    id: 'keys/require-safe-permissions',
    title: 'authorized_keys files and their directories have safe owners and modes',
    severity: 'high',
    tags: ['hygiene', 'auth'],
    profile: 'baseline',
    keywords: ['AuthorizedKeysFile', 'StrictModes'],
    references: [man('StrictModes'), { source: 'sshd(8)', item: 'FILES: ~/.ssh/authorized_keys', url: 'https://man.openbsd.org/sshd#FILES' }],
    remediable: 'manual',
    docs: {
      what: 'For every existing file named by a user\'s effective `AuthorizedKeysFile`, checks the file (following a symlink) and each directory of its real path up to the user\'s home, or up to `/` for a file outside the home, as sshd\'s StrictModes does: a regular file, owned by root or the account, not writable by others, and not writable by the group unless that group\'s only member is the account (Debian\'s user private groups).',
      why: 'Whoever can write a user\'s authorized_keys, or rename a directory above it, can add a key and log in as that user. With StrictModes on (the default) sshd refuses such a file, so the legitimate keys silently stop working; with StrictModes off it accepts the planted key.',
      fix: '`chown U: ~U/.ssh ~U/.ssh/authorized_keys; chmod 700 ~U/.ssh; chmod 600 ~U/.ssh/authorized_keys; chmod go-w ~U` (the remediation names the exact paths).',
      whenNot: 'Never: a file sshd refuses is a broken login, a file it accepts while others can write it is a backdoor.',
    },
  },
  check(ctx) {
    const fact = ctx.facts.authorizedKeys;
    if (isMissing(fact)) return ctx.skip(`authorized keys unknown: ${fact?.missing ?? 'not gathered'}`);
    for (const f of fact.files) {
      const problems: string[] = [];
      f.chain.forEach((p, i) => {
        const pr = problemOf(p, f, i === 0);
        if (pr) problems.push(pr);
      });
      if (problems.length === 0) continue;
      const consequence = fact.strictModes ? 'sshd (StrictModes yes) refuses every key in it' : 'StrictModes is off, so sshd still reads it: whoever can write there can add a key';
      const bad = f.chain.filter((p, i) => problemOf(p, f, i === 0) !== undefined && p.stat);
      const cmds = bad.map((p) => (p === f.chain[0] ? `chown ${f.user}: ${p.path} && chmod go-w ${p.path}` : `chmod go-w ${p.path}`));
      ctx.report({
        status: 'fail',
        message: `${f.user}: ${f.path}${f.realPath && f.realPath !== f.path ? ` (-> ${f.realPath})` : ''}: ${problems.join('; ')}: ${consequence}`,
        locations: [{ file: f.path, line: 0 }],
        remediation: [{ kind: 'manual', description: `make ${f.path} and its directories owned by ${f.user} or root and not group/other writable`, ...(cmds.length ? { command: cmds.join(' && ') } : {}) }],
      });
    }
    ctx.pass(`${fact.files.length} authorized_keys file${fact.files.length === 1 ? '' : 's'} with safe owners and modes`);
  },
});
