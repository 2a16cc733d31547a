// (a) Turning password and keyboard-interactive logins off while no account that can log in and
// become root has a usable key. Such accounts: root while root login stays possible
// (PermitRootLogin other than no for root from anywhere), and every account with a login shell
// in the sudo, wheel or admin group (Debian's sudoers grants %sudo; wheel and admin are the
// RHEL and old Ubuntu names) that the access lists let in, and only where sudo is installed
// (a fresh Proxmox VE has the sudo group but no sudo). Override: --allow-no-key-admin.
import { accessListsOf, checkAccess } from '../../sshd/access.js';
import { usableKey } from './access.js';
import { ANY_ADDR, spec, type Guard } from './types.js';

export const ADMIN_GROUPS: readonly string[] = ['sudo', 'wheel', 'admin'];

const on = (v: string | undefined) => v === 'yes';

export const noKeyAdmin: Guard = {
  id: 'no-key-admin',
  flag: '--allow-no-key-admin',
  summary: 'password logins turned off while no admin has a usable key',
  check(ctx) {
    const b = ctx.before();
    const a = ctx.after();
    const wasOn = on(b.value('passwordauthentication')) || on(b.value('kbdinteractiveauthentication'));
    const nowOff = !on(a.value('passwordauthentication')) && !on(a.value('kbdinteractiveauthentication'));
    if (!wasOn || !nowOff) return { ok: true, message: 'password logins are not being turned off' };
    const tried: string[] = [];
    for (const u of ctx.facts.users) {
      const cfg = ctx.after(spec(ctx, u.name, ANY_ADDR));
      const isRoot = u.uid === 0 && u.name === 'root';
      const inAdminGroup = u.loginShell && u.groups.some((g) => ADMIN_GROUPS.includes(g));
      if (!isRoot && inAdminGroup && !ctx.facts.sudoInstalled) {
        tried.push(`${u.name}: in an admin group, but sudo is not installed, so it cannot become root (apt install sudo)`);
        continue;
      }
      if (isRoot ? cfg.value('permitrootlogin') === 'no' : !inAdminGroup) continue;
      const lists = checkAccess(accessListsOf(cfg), { user: u.name, addr: ANY_ADDR, groups: u.groups });
      if (!lists.allowed) {
        tried.push(`${u.name}: ${lists.reason}`);
        continue;
      }
      const k = usableKey(cfg, u, ctx.facts);
      if (k.ok) return { ok: true, message: `${u.name} can still log in with a key (${k.how})` };
      tried.push(`${u.name}: ${k.why}`);
    }
    return {
      ok: false,
      message: `password and keyboard-interactive logins would be turned off, but no account that can log in and become root has a usable key (${tried.join('; ') || 'no root login and no member of sudo/wheel/admin'}). Install a key first: sshield keys add`,
    };
  },
};
