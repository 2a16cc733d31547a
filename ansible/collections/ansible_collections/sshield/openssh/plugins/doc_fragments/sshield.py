# -*- coding: utf-8 -*-
# Option documentation shared by the sshield.openssh modules: the executable the controller ships
# (DOCUMENTATION), the options of every change (CHANGE) and the inline policy of sshield_audit and
# sshield_harden (POLICY). Copyright: sshield contributors; MIT License.
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  binary:
    description:
      - Path ON THE CONTROLLER of the sshield single executable for the target's architecture
        (C(dist/sshield-linux-x64) or C(dist/sshield-linux-arm64), built by C(scripts/build-sea.sh)).
      - Defaults to the variable C(sshield_binary), else the environment variable C(SSHIELD_BINARY) of the controller.
      - The action plugin hashes it (sha256), stats C(bin_dir/sshield-SHA256) on the target and transfers it only when
        that file is missing or of another size; the module re-hashes the file before every use and refuses to run one that
        differs (the controller then sends it again, once).
    type: path
  bin_dir:
    description:
      - Directory on the target where the executable is kept, named C(sshield-SHA256).
      - Created mode 0700; it and every directory above it must be root's and not writable by others, else the task fails.
      - The same directory and naming as sshield's own remote runner (C(sshield harden --host)), so both use one copy;
        when a new one is installed the two newest older copies stay and the rest are removed.
      - An executable for another architecture than the target's is refused before it is installed, naming the one to use.
    type: path
    default: /var/lib/sshield/bin
  timeout:
    description: Seconds sshield may take on the target before the task fails.
    type: int
    default: 600
  binary_sha256:
    description: Set by the action plugin (the sha256 the executable must have). Do not set.
    type: str
  binary_upload:
    description: Set by the action plugin (where it transferred a new copy). Do not set.
    type: path
notes:
  - Runs sshield on the target itself, as root (C(become=true) for a non-root remote user), with C(--json).
  - The executable cache (C(bin_dir)) is filled in check mode too (it is sshield's own tool cache, like Ansible's module
    payload); nothing else is written in check mode.
requirements:
  - Linux target with glibc 2.28 or later (the single executable is Node 24 with the bundled CLI); Python 3 for the module.
'''

    CHANGE = r'''
options:
  backup_dir:
    description: Where sshield keeps its backups and journal on the target (C(--backup-dir)).
    type: path
  sshd:
    description: The sshd binary that validates candidates (C(--sshd)); default C(/usr/sbin/sshd).
    type: path
  allow:
    description:
      - Guard overrides, each sshield's C(--allow-NAME) flag. A guard that refuses a change fails the task with its reason
        and the flag that overrides it; only name one here after reading that reason.
      - Each command takes the guards it has (C(sshield COMMAND --help)); another is sshield's usage error.
    type: list
    elements: str
    default: []
    choices: [no-key-admin, session-lockout, user-lockout, admin-lockout, cluster-break, cluster-lockout, bad-chroot, hostkey-mismatch, principals-change, root-principals, long-validity]
  confirm_timeout:
    description:
      - Arms sshield's confirm window (C(--confirm-timeout SECONDS)) the change stays only if C(sshield confirm) runs
        from a NEW login within it, else the host rolls it back by itself.
      - With O(confirm=true) the action plugin closes the task's SSH connection (its ControlMaster), logs in again with
        Ansible's own credentials and runs C(sshield confirm); the change is kept only when Ansible can still get in.
      - Without it no window is armed (sshield's default without a terminal).
    type: int
  confirm:
    description:
      - With O(confirm_timeout), confirm the change from a new connection right after it was applied.
      - C(false) leaves it pending (the result has C(confirm_deadline)); confirm later with
        C(sshield.openssh.sshield_change) and C(command=confirm) from a new connection, or let it roll back.
    type: bool
    default: true
  verify_user:
    description: The account whose login proves access after the reload (C(--verify-user)).
    type: str
  verify_key:
    description:
      - A private key ON THE TARGET the proof logs in with as O(verify_user) (C(--verify-key)).
      - Without it (and without an agent, which Ansible does not forward) the result says "not proven with your
        credentials"; the new connection's banner and methods are still checked, and the confirm window proves Ansible's own login.
    type: path
'''

    # The inline policy of sshield_audit and sshield_harden (module_utils TARGET_ARGS).
    POLICY = r'''
options:
  policy:
    description:
      - An sshield policy given inline, as a mapping (C(extends), C(rules), C(waivers)) or as the YAML text of a policy
        file; written to the module's temporary directory on the target and passed as C(--profile FILE). sshield checks it
        (a mistake fails the task with the line).
      - Mutually exclusive with O(profile).
    type: raw
'''
