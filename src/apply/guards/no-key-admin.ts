// (a) Turning password and keyboard-interactive logins off while no account that can log in and
// become root has a usable key. Such accounts: root while root login stays possible
// (PermitRootLogin other than no for root), and every account with a login shell in the sudo,
// wheel or admin group (Debian's sudoers grants %sudo; wheel and admin are the RHEL and old
// Ubuntu names) that the access lists let in, and only where sudo is installed (a fresh Proxmox
// VE has the sudo group but no sudo). Judged for every address tried (some address nothing names
// plus one inside every Match Address and allowlist address): a turn-off inside a `Match Address`
// block locks out the admins coming from there just as a global one does.
// Override: --allow-no-key-admin.
import { accessListsOf, checkAccess } from '../../sshd/access.js';
import { usableKey } from './access.js';
import { beforeFacts, samplesOf, spec, type Guard, type GuardContext } from './types.js';

import { ADMIN_GROUPS } from '../../access/index.js';

export { ADMIN_GROUPS };

/** The advice of a refusal: the command that installs a key (src/cli/keys.ts `keys add`). */
export const INSTALL_KEY_ADVICE = "Install a key first: sshield keys add --user USER --key 'ssh-ed25519 AAAA...' (or --file FILE)";

const on = (v: string | undefined) => v === 'yes';

/** Whether password and keyboard-interactive logins go from on to off for an admin from `addr`. */
function turnedOffAt(ctx: GuardContext, addr: string): boolean {
  const admins = beforeFacts(ctx).users.filter((u) => u.uid === 0 || u.groups.some((g) => ADMIN_GROUPS.includes(g))).map((u) => u.name);
  return (admins.length ? admins : ['root']).some((name) => {
    const b = ctx.before(spec(ctx, name, addr));
    const a = ctx.after(spec(ctx, name, addr));
    return (on(b.value('passwordauthentication')) || on(b.value('kbdinteractiveauthentication'))) && !on(a.value('passwordauthentication')) && !on(a.value('kbdinteractiveauthentication'));
  });
}

/** An admin with a usable key from `addr` after the change (its description), or why none is. */
function keyedAdminAt(ctx: GuardContext, addr: string, tried: string[]): string | undefined {
  for (const u of ctx.facts.users) {
    const cfg = ctx.after(spec(ctx, u.name, addr));
    const isRoot = u.uid === 0 && u.name === 'root';
    const inAdminGroup = u.loginShell && u.groups.some((g) => ADMIN_GROUPS.includes(g));
    if (!isRoot && inAdminGroup && !ctx.facts.sudoInstalled) {
      tried.push(`${u.name}: in an admin group, but sudo is not installed, so it cannot become root (apt install sudo)`);
      continue;
    }
    if (isRoot ? cfg.value('permitrootlogin') === 'no' : !inAdminGroup) continue;
    const lists = checkAccess(accessListsOf(cfg), { user: u.name, addr, groups: u.groups });
    if (!lists.allowed) {
      tried.push(`${u.name}: ${lists.reason}`);
      continue;
    }
    const k = usableKey(cfg, u, ctx.facts);
    if (k.ok) return `${u.name} can still log in with a key (${k.how})`;
    tried.push(`${u.name}: ${k.why}`);
  }
  return undefined;
}

export const noKeyAdmin: Guard = {
  id: 'no-key-admin',
  flag: '--allow-no-key-admin',
  summary: 'password logins turned off while no admin has a usable key',
  check(ctx) {
    const samples = samplesOf(ctx);
    const off = samples.filter((a) => turnedOffAt(ctx, a));
    if (off.length === 0) return { ok: true, message: 'password logins are not being turned off' };
    const tried: string[] = [];
    for (const a of [...off, ...samples.filter((x) => !off.includes(x))]) {
      const kept = keyedAdminAt(ctx, a, tried);
      if (kept) return { ok: true, message: kept };
    }
    // The credential model proves a way in the key files alone do not show (a certificate the
    // invoking admin logged in with, judged against TrustedUserCAKeys, principals, validity, KRL).
    if (ctx.model?.certificateAdminAfter) return { ok: true, message: `${ctx.model.certificateAdminAfter} (a certificate sshd accepts: credential model)` };
    const where = off.length === samples.length ? '' : ` for connections from ${off.join(', ')}`;
    return {
      ok: false,
      message: `password and keyboard-interactive logins would be turned off${where}, but no account that can log in and become root has a usable key (${[...new Set(tried)].join('; ') || 'no root login and no member of sudo/wheel/admin'}). ${INSTALL_KEY_ADVICE}`,
    };
  },
};
