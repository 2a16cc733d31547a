// waysIn: for one account connecting from one address, the ways in sshd would accept
// (OpenSSH 9.2p1..10.2p1). The effective configuration for the connection (Match on user, group,
// address, local address and port) comes from the caller's evaluator; then, as sshd:
// the account checks (account.ts: auth.c allowed_user, PAM account stage), the methods
// (keys.ts publickey, secrets.ts password/keyboard-interactive), AuthenticationMethods lists
// (auth2.c auth2_setup_methods_lists drops every list naming a disabled method and disconnects
// with "no authentication methods enabled" when none is left; a list completes step by step
// through partial success, auth2_update_methods_lists; a key serves one step only,
// auth2_key_already_used), PermitRootLogin per step (auth.c auth_root_allowed: prohibit-password
// admits publickey/hostbased/gssapi-with-mic, forced-commands-only only a key with command=),
// and what the session gives (session.c: ForceCommand internal-sftp and Subsystem internal-sftp
// run in-process without a shell; anything else runs through the account's shell, so nologin
// gives nothing; ChrootDirectory components must be root-owned and not group/other-writable,
// session.c safely_chroot). Pure: facts in, verdict out.
import type { AccessFacts } from '../host/facts/access-facts.js';
import { expandChrootPath, pathComponents } from '../host/facts/access-facts.js';
import type { PasswdUser } from '../host/facts/accounts.js';
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import { checkAccount } from './account.js';
import { pubkeyWays, type AcceptedKey, type PubkeyResult } from './keys.js';
import { secretStatus } from './secrets.js';
import type { StrictModesHost } from './strict-modes.js';
import type { AccessVerdict, SessionKind, StepProof, Way } from './types.js';

export type ConfigFor = (spec: ConnectionSpec) => EffectiveConfig;

const METHODS = ['publickey', 'password', 'keyboard-interactive', 'hostbased', 'gssapi-with-mic'] as const;

function enabled(cfg: EffectiveConfig, m: string): boolean {
  switch (m) {
    case 'publickey':
      return cfg.value('pubkeyauthentication') !== 'no';
    case 'password':
      return cfg.value('passwordauthentication') === 'yes';
    case 'keyboard-interactive':
      return cfg.value('kbdinteractiveauthentication') === 'yes';
    case 'hostbased':
      return cfg.value('hostbasedauthentication') === 'yes';
    case 'gssapi-with-mic':
      return cfg.value('gssapiauthentication') === 'yes';
    default:
      return false;
  }
}

/** The AuthenticationMethods lists sshd keeps, each a list of "method[:submethod]"; and what it dropped. */
export function methodLists(cfg: EffectiveConfig): { lists: string[][]; dropped: string[]; any: boolean } {
  const raw = (cfg.get('authenticationmethods')?.values ?? ['any']).join(' ').trim();
  if (raw === '' || raw === 'any') return { lists: METHODS.filter((m) => enabled(cfg, m)).map((m) => [m]), dropped: [], any: true };
  const lists: string[][] = [];
  const dropped: string[] = [];
  for (const l of raw.split(/\s+/)) {
    const steps = l.split(',');
    const off = steps.find((s) => !enabled(cfg, s.split(':')[0]!));
    if (off !== undefined) dropped.push(`AuthenticationMethods list "${l}" names ${off.split(':')[0]}, which is disabled: sshd skips the list`);
    else lists.push(steps);
  }
  return { lists, dropped, any: false };
}

function strictHost(facts: AccessFacts): StrictModesHost {
  return {
    groupMembers: (gid) => {
      const g = facts.accounts.groups.find((x) => x.gid === gid);
      return [...new Set([...(g?.members ?? []), ...facts.accounts.users.filter((u) => u.gid === gid).map((u) => u.name)])];
    },
    userName: (uid) => facts.accounts.users.find((u) => u.uid === uid)?.name,
  };
}

type StepResult = { kind: 'ok'; proof: StepProof; key?: AcceptedKey } | { kind: 'possible'; proof: StepProof } | { kind: 'refused'; why: string };

function keyRef(k: AcceptedKey): string {
  return `${k.ref.type} ${k.ref.fingerprint} (${k.ref.file}:${k.ref.line})`;
}

function pubkeyStep(pub: PubkeyResult, used: ReadonlySet<string>, user: PasswdUser, prl: string, prefer?: string): StepResult {
  let keys = pub.accepted.filter((k) => !used.has(k.ref.fingerprint));
  if (user.uid === 0) {
    if (prl === 'no') return { kind: 'refused', why: 'PermitRootLogin no' };
    if (prl === 'forced-commands-only') {
      keys = keys.filter((k) => k.command !== undefined);
      if (keys.length === 0 && pub.accepted.length > 0) return { kind: 'refused', why: 'PermitRootLogin forced-commands-only and no accepted key has command=' };
    }
  }
  const k = keys.find((x) => x.ref.fingerprint === prefer) ?? keys[0];
  if (k) return { kind: 'ok', proof: { method: 'publickey', detail: `key ${keyRef(k)}`, key: k.ref }, key: k };
  if (pub.possible.length > 0) return { kind: 'possible', proof: { method: 'publickey', detail: pub.possible.join('; ') } };
  const seen = pub.accepted.length > 0 ? ['every accepted key is already used by an earlier step'] : [];
  return { kind: 'refused', why: `publickey: ${[...seen, ...pub.refused].join('; ') || 'no authorized key'}` };
}

function sessionOf(cfg: EffectiveConfig, user: PasswdUser, facts: AccessFacts, key: AcceptedKey | undefined): { session: SessionKind; detail: string } {
  const force = cfg.value('forcecommand');
  const shell = user.shell === '' ? '/bin/sh' : user.shell;
  const shellWorks = user.loginShell && (facts.shells.get(shell) !== undefined || !facts.binaries);
  // session.c session_subsystem_req: the client's "sftp" subsystem request needs a Subsystem sftp
  // entry, whatever ForceCommand says (the forced command then replaces its program).
  const sftpProg = (cfg.get('subsystem')?.values ?? []).map((v) => /^sftp\s+(\S+)/.exec(v)?.[1]).find((p) => p !== undefined);
  const isInternal = (c: string) => c === 'internal-sftp' || c.startsWith('internal-sftp ');
  const viaShell = (what: string): { session: SessionKind; detail: string } => (shellWorks ? { session: 'command', detail: what } : { session: 'none', detail: `${what}, run through the shell ${shell}, which refuses it` });
  const forced = force !== undefined && force !== 'none' ? { what: `ForceCommand ${force}`, cmd: force } : key?.command !== undefined ? { what: `key command="${key.command}"`, cmd: key.command } : undefined;
  if (forced) {
    if (!isInternal(forced.cmd)) return viaShell(forced.what);
    return sftpProg !== undefined
      ? { session: 'sftp', detail: `${forced.what} (in-process, no shell needed)` }
      : { session: 'none', detail: `${forced.what} but no Subsystem sftp: an sftp client's subsystem request fails (session_subsystem_req)` };
  }
  if (shellWorks) return { session: 'shell', detail: `shell ${shell}${key?.noPty ? ' (no pty: restrict/no-pty)' : ''}` };
  if (sftpProg === 'internal-sftp') return { session: 'sftp', detail: `shell ${shell} refuses a session; Subsystem sftp internal-sftp still serves SFTP` };
  return { session: 'none', detail: `shell ${shell}: authentication succeeds, the session ends at once (no in-process SFTP)` };
}

function chrootProblem(cfg: EffectiveConfig, user: PasswdUser, facts: AccessFacts): string | undefined {
  const c = cfg.value('chrootdirectory');
  if (c === undefined || c.toLowerCase() === 'none') return undefined;
  const path = expandChrootPath(c, user);
  for (const p of pathComponents(path)) {
    if (!facts.chroots.has(p)) return undefined;
    const s = facts.chroots.get(p);
    if (!s) return `ChrootDirectory ${path}: ${p} does not exist (session.c safely_chroot refuses the session)`;
    if (s.kind !== 'directory') return `ChrootDirectory ${path}: ${p} is not a directory`;
    if (s.uid !== 0 || (s.mode & 0o022) !== 0) return `ChrootDirectory ${path}: bad ownership or modes for ${p} (must be root-owned, not group/other-writable)`;
  }
  return undefined;
}

const verdicts = new WeakMap<AccessFacts, WeakMap<EffectiveConfig, Map<string, AccessVerdict>>>();

/**
 * Which ways in work for `spec.user` from `spec.addr`, as sshd decides. Verdicts are memoized per
 * facts, effective configuration object and spec (a memoizing evaluator makes repeats free).
 */
export function waysIn(facts: AccessFacts, configFor: ConfigFor, spec: ConnectionSpec): AccessVerdict {
  const full: ConnectionSpec = { ...spec, host: spec.host ?? spec.addr };
  const cfg = configFor(full);
  let byCfg = verdicts.get(facts);
  if (!byCfg) verdicts.set(facts, (byCfg = new WeakMap()));
  let bySpec = byCfg.get(cfg);
  if (!bySpec) byCfg.set(cfg, (bySpec = new Map()));
  const key = JSON.stringify([full.user, full.host, full.addr, full.laddr, full.lport, full.rdomain]);
  let v = bySpec.get(key);
  if (!v) bySpec.set(key, (v = decide(facts, cfg, full)));
  return v;
}

function decide(facts: AccessFacts, cfg: EffectiveConfig, full: ConnectionSpec): AccessVerdict {
  const spec = full;
  const user = spec.user !== undefined ? facts.accounts.user(spec.user) : undefined;
  if (!user) return { kind: 'refused', spec, reasons: [`no account ${spec.user ?? '(none)'} in /etc/passwd: sshd treats it as an invalid user`] };
  if (!cfg.ok) {
    const d = cfg.diagnostics.find((x) => x.severity === 'error');
    return { kind: 'refused', spec: full, reasons: [`sshd would reject this configuration for the connection: ${d?.message ?? 'error'}`] };
  }
  const acct = checkAccount(facts, cfg, user, full);
  if (acct.refused.length > 0) return { kind: 'refused', spec: full, reasons: [...acct.refused] };
  const chroot = chrootProblem(cfg, user, facts);
  const prl = cfg.value('permitrootlogin') ?? 'prohibit-password';
  const { lists, dropped, any } = methodLists(cfg);
  if (lists.length === 0) {
    return { kind: 'refused', spec: full, reasons: [...dropped, any ? 'every authentication method is disabled' : 'no authentication methods enabled: sshd disconnects (auth2_setup_methods_lists)'] };
  }
  const pub = lists.some((l) => l.some((s) => s.startsWith('publickey'))) ? pubkeyWays({ facts, cfg, user, spec: full, host: strictHost(facts) }) : { accepted: [], possible: [], refused: [] };
  const proven: Way[] = [];
  const possible: Way[] = [];
  const refusals: string[] = [...dropped];
  const unproven: string[] = [];
  for (const list of lists) {
    // For a chain whose first publickey step can use several keys, one way per key (each key is a way in).
    const firstKeys = list.includes('publickey') ? pub.accepted.map((k) => k.ref.fingerprint) : [];
    const starts = firstKeys.length > 0 ? firstKeys : [undefined];
    for (const prefer of starts) {
      const used = new Set<string>();
      const steps: StepProof[] = [];
      let state: 'ok' | 'possible' | 'refused' = 'ok';
      let why = '';
      let forcedKey: AcceptedKey | undefined;
      let preferNext = prefer;
      const chainUnproven: string[] = [];
      for (const s of list) {
        const [m, sub] = s.split(':') as [string, string | undefined];
        let r: StepResult;
        if (m === 'publickey') {
          r = pubkeyStep(pub, used, user, prl, preferNext);
          preferNext = undefined;
          if (r.kind === 'ok' && r.key) {
            used.add(r.key.ref.fingerprint);
            forcedKey ??= r.key;
          }
        } else if (m === 'password' || m === 'keyboard-interactive') {
          // Root may use a password only with PermitRootLogin yes (auth_password, auth-pam.c), whatever came before.
          const st = secretStatus(m, sub, facts, cfg, user);
          r = st.kind === 'ok' ? { kind: 'ok', proof: { method: s, detail: st.detail } } : st.kind === 'unknown' ? { kind: 'possible', proof: { method: s, detail: st.why } } : { kind: 'refused', why: st.why };
        } else {
          r = user.uid === 0 && prl !== 'yes' && prl !== 'prohibit-password' && prl !== 'without-password' ? { kind: 'refused', why: `${m}: PermitRootLogin ${prl}` } : { kind: 'possible', proof: { method: m, detail: `${m}: not modelled (host/realm trust cannot be proven)` } };
        }
        if (r.kind === 'refused') {
          state = 'refused';
          why = r.why;
          break;
        }
        if (r.kind === 'possible') {
          state = 'possible';
          chainUnproven.push(r.proof.detail);
        }
        steps.push(r.proof);
      }
      const label = list.join(',');
      if (state === 'refused') {
        const msg = list.length > 1 || !any ? `${label}: ${why}` : why;
        if (!refusals.includes(msg)) refusals.push(msg);
        continue;
      }
      for (const u of chainUnproven) if (!unproven.includes(u)) unproven.push(u);
      const sess = sessionOf(cfg, user, facts, forcedKey);
      const way: Way = { chain: list, steps, session: sess.session, sessionDetail: sess.detail };
      (state === 'ok' ? proven : possible).push(way);
    }
  }
  if (chroot) return { kind: 'refused', spec: full, reasons: [chroot] };
  const unknown = [...acct.unknown];
  if (proven.length > 0 && unknown.length === 0) {
    const notes = [...acct.notes, ...possible.map((w) => `also possible: ${w.chain.join(',')}: ${w.steps.map((s) => s.detail).join('; ')}`)];
    return { kind: 'works', spec: full, ways: proven, shell: proven.some((w) => w.session === 'shell'), notes };
  }
  if (proven.length > 0 || possible.length > 0) {
    return { kind: 'unknown', spec: full, reasons: [...new Set([...unknown, ...unproven])], possible: [...proven, ...possible] };
  }
  return { kind: 'refused', spec: full, reasons: refusals.length > 0 ? refusals : ['no way in'] };
}
