// The help text of `sshield audit` (not a command file: text only).
import { DEFAULT_FAIL_ON } from '../report/types.js';

export const AUDIT_HELP = `
What it checks: every step of the guide (root login, passwords incl. keyboard-interactive via PAM,
auth limits, forwarding, AcceptEnv, banner, allow-list, chroot, client-only keywords), the extras
(algorithms, Terrapin, host keys, moduli, modes, penalties, logging, shadowed directives) and the
installed build's CVEs. Values are judged on the EFFECTIVE configuration (drop-ins and Match
blocks included) for the admin, root, an unknown user, each PVE cluster node and SFTP users.

Profiles: baseline (the guide), proxmox (baseline + cluster-aware; default on PVE hosts),
strict (baseline + algorithm hardening and extras), or a YAML policy file:
  extends: proxmox
  rules:
    sshd/require-allowlist: off
    sshd/limit-max-auth-tries: { options: { max: 4 } }
  waivers:
    - { rule: sshd/no-x11-forwarding, reason: "GUI admin tools", expires: 2027-06-30 }

Exit codes: 0 nothing at or above --fail-on failed (default: ${DEFAULT_FAIL_ON}); 1 something did;
2 usage or runtime error, or a host that could not be audited. Severities: info < low < medium < high < critical.

Many hosts (--host, --inventory, --limit, --cluster): over SSH with the system ssh client and your
~/.ssh/config; nothing is installed on the hosts: one connection each gathers the files, which are
judged here with the same code as --root. One table of hosts x failing rules; -v for each host.

Examples:
  sshield audit                              # this host (or the PVE 9 example without sshd)
  sshield audit --root /mnt/vm-image --json  # an offline root (image, container, fixture)
  sshield audit -f ./sshd_config --openssh 1:9.2p1-2+deb12u3
  sshield audit --profile strict --fail-on low --format sarif > audit.sarif
  sshield audit --format html > audit.html   # one self-contained page (no network, light/dark, printable)
  sshield audit --host root@pve1 --host root@pve2:2222
  sshield audit --inventory hosts.yml --limit 'pve:!pve-lab*' --json
  sshield audit --cluster root@pve1          # every node of pve1's PVE cluster
`;
