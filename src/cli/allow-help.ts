// The help text of `sshield allow` (not a command file: text only).
import { OVERRIDE_CLUSTER, OVERRIDE_SESSION } from '../allow/planner.js';

export const ALLOW_HELP = `
How it works:
  Each allowlist is one line in the global part of the main sshd_config:
    DenyUsers *@!192.0.2.0/24,!2001:db8::/32,*        (everyone: only from these)
    DenyUsers root@!192.0.2.10,*                       (--user root: only from this)
  sshd checks DenyUsers before AllowUsers/AllowGroups and refuses on any match (auth.c
  allowed_user), so the restriction also holds for users already named in AllowUsers.
  Lists for everyone and for one user both apply (a user must pass both).

Safety:
  The plan (a diff) and a proof are shown first: the effective config is evaluated for you,
  root, an unknown user and the restricted user, from every listed address and from a sample
  IPv4 and IPv6 address outside the list. It refuses (exit 3) when the address of your own SSH
  session (SSH_CONNECTION) would be refused (${OVERRIDE_SESSION}), and on a Proxmox VE cluster
  node it always keeps the node addresses from corosync.conf (${OVERRIDE_CLUSTER}).
  Then the same pipeline as harden: backup, sshd -t/-T, atomic write, reload, verify, rollback.

Examples:
  sshield allow add 192.0.2.0/24 2001:db8::/32 --dry-run
  sshield allow add 10.0.0.5 --user root --yes
  sshield allow remove 192.0.2.0/24 --yes
  sshield allow list --json
  sshield allow list --inventory hosts.ini --limit pve   # every host's lists, read over SSH (nothing installed)
  sshield allow add 127.0.0.1 -f /srv/test/sshd_config --yes   # a daemon run with -f (reloaded via its PidFile)
  sshield allow add 10.0.0.0/8 --root /mnt/image --yes        # offline root: files only

Exit codes (the same for every changing command): 0 done, nothing to do or --dry-run; 2 bad
address, an error, or a change that failed and was rolled back; 3 refused by a guard, declined,
no TTY to ask on, changed since planning, or another change awaits \`sshield confirm\`.`;
