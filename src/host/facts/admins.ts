// Which accounts can become root, by the groups sudo's default policies grant it to: sudo
// (Debian, Ubuntu: `%sudo ALL=(ALL:ALL) ALL`), wheel (RHEL, Arch) and admin (Ubuntu before 12.04),
// counted only where sudo is installed (a fresh Proxmox VE has the sudo group but no sudo), plus
// root. Not `adm` (it reads logs, it does not grant root). The one definition the guards and the
// audit use until the credential model (sudoers as sudo reads it) replaces it. Pure.
import type { Accounts } from './accounts.js';

export const ADMIN_GROUPS: readonly string[] = ['sudo', 'wheel', 'admin'];

/** Accounts with a login shell in an admin group (where sudo is installed), in passwd order. */
export function sudoAdmins(accounts: Accounts, sudoInstalled: boolean): string[] {
  if (!sudoInstalled) return [];
  return accounts.users.filter((u) => u.loginShell && accounts.groupsOf(u.name).some((g) => ADMIN_GROUPS.includes(g))).map((u) => u.name);
}
