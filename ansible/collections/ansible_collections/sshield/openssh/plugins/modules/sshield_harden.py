#!/usr/bin/python
# -*- coding: utf-8 -*-
# sshield_harden: `sshield harden --yes --json` on the target (check mode: --dry-run). changed and
# failed come from sshield's one Outcome; the diff is the plan's before/after per file.
# Copyright: sshield contributors; MIT License.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sshield_harden
short_description: Harden the OpenSSH server with sshield's safe change flow
description:
  - Runs C(sshield harden --yes --json) on the target with the single executable the action plugin ensures is there
    (by sha256). sshield plans the profile's changes, judges them with its guards (no admin, session, PVE cluster
    node or chroot loses its way in), backs up, writes atomically, validates with the real C(sshd -t), reloads,
    verifies with a new connection and rolls back on any failure, all on the target.
  - Check mode is C(--dry-run) (nothing written; changed when the plan would change a file); diff mode returns the
    plan's before/after per file.
  - C(changed) when sshield applied a change, C(ok) when there was nothing to do; failed when a guard refused (with the
    reason and the override flag), when a step failed (the files are rolled back), or on an error.
version_added: 0.1.0
author: sshield contributors
extends_documentation_fragment: [sshield.openssh.sshield, sshield.openssh.sshield.change, sshield.openssh.sshield.policy]
options:
  profile:
    description: C(baseline), C(proxmox), C(strict), or the path ON THE TARGET of a YAML policy file (default proxmox on PVE hosts, else baseline).
    type: str
  admin:
    description: The admin account the audit and the guards evaluate (C(--admin)).
    type: str
  config_file:
    description: The sshd_config to harden (C(-f)); a daemon started with C(-f FILE) is reloaded through its PidFile.
    type: path
  root:
    description: Harden an offline root directory on the target (C(--root)); files only, nothing reloaded.
    type: path
attributes:
  check_mode: {support: full}
  diff_mode: {support: full}
'''

EXAMPLES = r'''
- name: Harden sshd (the proxmox profile on PVE nodes), keep it only if Ansible can log in again
  sshield.openssh.sshield_harden:
    binary: "{{ playbook_dir }}/files/sshield-linux-x64"
    confirm_timeout: 120
  register: harden

- name: What would change (ansible-playbook --check --diff shows the diff per file)
  sshield.openssh.sshield_harden:
    profile: strict
  check_mode: true

- name: Harden although no admin has a key yet (read the guard's reason first)
  sshield.openssh.sshield_harden:
    allow: [no-key-admin]
'''

RETURN = r'''
outcome:
  description: sshield's outcome kind (applied, nothing-to-do, dry-run, refused, stale, pending-confirm, failed, error).
  returned: always
  type: str
  sample: applied
files:
  description: The files the plan writes (as sshd names them).
  returned: always
  type: list
  elements: str
  sample: [/etc/ssh/sshd_config]
backup_id:
  description: The backup of this change (C(sshield restore ID) on the host brings the old files back).
  returned: when applied
  type: str
confirm_deadline:
  description: ms since the epoch until which the change awaits C(sshield confirm) (with confirm_timeout).
  returned: when a confirm window was armed
  type: int
confirmed:
  description: Whether the action plugin confirmed the change from a new connection.
  returned: when a confirm window was armed
  type: bool
rolled_back:
  description: For a failed change, whether the previous files were restored.
  returned: when the outcome is failed
  type: bool
messages:
  description: sshield's messages for people (proof with credentials, notes).
  returned: always
  type: list
  elements: str
sshield:
  description: The change envelope C(sshield harden --json) printed (schemas/change.schema.json), without the files' full texts.
  returned: always
  type: dict
binary:
  description: The executable that ran (path, sha256, whether it was transferred in this task).
  returned: always
  type: dict
rc:
  description: sshield's exit code (0 as asked, 2 failed or error, 3 nothing changed on purpose).
  returned: always
  type: int
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sshield.openssh.plugins.module_utils.sshield import BINARY_ARGS, CHANGE_ARGS, TARGET_ARGS, TARGET_EXCLUSIVE, change_flags, change_result, ensure_binary, parse_json, run_sshield, target_flags


def main():
    module = AnsibleModule(
        argument_spec=dict(BINARY_ARGS, **dict(CHANGE_ARGS, **TARGET_ARGS)),
        mutually_exclusive=TARGET_EXCLUSIVE,
        supports_check_mode=True,
    )
    path, binary = ensure_binary(module)
    argv = ['harden', '--json', '--dry-run' if module.check_mode else '--yes'] + target_flags(module) + change_flags(module.params)
    rc, out, err = run_sshield(module, path, argv)
    change_result(module, parse_json(module, rc, out, err, argv), rc, err, binary, argv)


if __name__ == '__main__':
    main()
