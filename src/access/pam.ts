// What sshd's PAM stack (UsePAM yes) decides, as far as the files say: /etc/pam.d/sshd with its
// @include files (pam.d(5)). Only stacks made of modules whose decision this model knows count
// as decided: pam_unix (auth: the shadow hash; account: expiry and ageing, pam_unix(8)),
// pam_nologin (/etc/nologin refuses non-root), and modules that never refuse a login
// (pam_permit, pam_env, pam_limits, ...). Any other module (pam_google_authenticator,
// pam_access, pam_sss, ...) makes the stack's answer unknown, and the model says so. Pure.

const NEUTRAL = new Set([
  'pam_permit', 'pam_deny', 'pam_env', 'pam_faildelay', 'pam_cap', 'pam_systemd', 'pam_loginuid', 'pam_keyinit', 'pam_limits',
  'pam_mail', 'pam_motd', 'pam_selinux', 'pam_umask', 'pam_lastlog', 'pam_mkhomedir', 'pam_echo', 'pam_warn', 'pam_gnome_keyring',
  'pam_rootok', 'pam_unix', 'pam_nologin',
]);

export interface PamStack {
  /** The stack exists (/etc/pam.d/sshd read). */
  readonly found: boolean;
  /** Module names (without .so) of the auth and account lines, in order. */
  readonly auth: readonly string[];
  readonly account: readonly string[];
}

function lines(files: ReadonlyMap<string, string>, path: string, seen: Set<string>): string[][] {
  const text = files.get(path);
  // `seen` holds the files being included above this one (a loop stops; a file included twice is read twice).
  if (text === undefined || seen.has(path)) return [];
  seen = new Set([...seen, path]);
  const out: string[][] = [];
  for (const raw of text.split('\n')) {
    const l = raw.replace(/#.*$/, '').trim();
    if (l === '') continue;
    const inc = /^@include\s+(\S+)/.exec(l);
    const sub = /^-?(\S+)\s+(?:include|substack)\s+(\S+)/.exec(l);
    if (inc || sub) {
      const name = inc ? inc[1]! : sub![2]!;
      // "TYPE include FILE" pulls in only FILE's lines of that type (pam.d(5)).
      const got = lines(files, name.startsWith('/') ? name : `/etc/pam.d/${name}`, seen);
      out.push(...(sub ? got.filter(([t]) => t === sub[1]!.toLowerCase()) : got));
      continue;
    }
    // type control module [args]; control may be [a=b c=d] with spaces.
    const m = /^-?(\S+)\s+(\[[^\]]*\]|\S+)\s+(\S+)/.exec(l);
    if (m) out.push([m[1]!.toLowerCase(), m[3]!]);
  }
  return out;
}

const memo = new WeakMap<ReadonlyMap<string, string>, PamStack>();

export function pamStack(files: ReadonlyMap<string, string>): PamStack {
  let got = memo.get(files);
  if (!got) memo.set(files, (got = readStack(files)));
  return got;
}

function readStack(files: ReadonlyMap<string, string>): PamStack {
  if (!files.has('/etc/pam.d/sshd')) return { found: false, auth: [], account: [] };
  const all = lines(files, '/etc/pam.d/sshd', new Set());
  const mod = (m: string) => m.replace(/^.*\//, '').replace(/\.so$/, '');
  return { found: true, auth: all.filter(([t]) => t === 'auth').map(([, m]) => mod(m!)), account: all.filter(([t]) => t === 'account').map(([, m]) => mod(m!)) };
}

/** Modules of a stack part whose answer this model cannot give. */
export function unknownModules(mods: readonly string[]): string[] {
  return [...new Set(mods.filter((m) => !NEUTRAL.has(m)))];
}
