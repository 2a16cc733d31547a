#!/usr/bin/python
# -*- coding: utf-8 -*-
# sshield_change: any other changing sshield command (allow, user, keys, ca trust, restore,
# confirm, upgrade) run on the target with --yes --json (check mode: --dry-run), mapped to
# changed/failed/diff exactly like sshield_harden. One module instead of eleven: they share the
# change envelope, the outcome table and the flags, and sshield itself validates their arguments.
# Copyright: sshield contributors; MIT License.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sshield_change
short_description: Run any changing sshield command (allow, user, keys, ca trust, restore, confirm, upgrade) on the target
description:
  - Runs C(sshield COMMAND... --yes --json) on the target with the single executable the action plugin ensures is there
    (by sha256); check mode adds C(--dry-run) instead of C(--yes), diff mode returns the plan's before/after per file.
  - Every changing sshield command prints the same change envelope and ends in the same outcomes, so one module maps them
    all; the command's own arguments and flags are given as sshield takes them in O(command) and checked by sshield.
  - C(changed) when sshield applied a change, C(ok) when there was nothing to do; failed when a guard refused, a step
    failed (rolled back), or on an error (a bad argument is sshield's usage error, in C(msg)).
version_added: 0.1.0
author: sshield contributors
extends_documentation_fragment: [sshield.openssh.sshield, sshield.openssh.sshield.change]
options:
  command:
    description:
      - The sshield command line after C(sshield), as a list (or a string split like a shell would, without expansion).
      - Its first words must be one of C(allow add), C(allow remove), C(user nologin), C(user add), C(user sftp),
        C(keys restrict), C(keys unrestrict), C(keys add), C(keys remove), C(ca trust), C(ca sign-host), C(restore),
        C(confirm), C(upgrade), C(harden) (prefer sshield_harden).
      - The module adds C(--json) and C(--yes) (C(--dry-run) in check mode) and the shared options below; it refuses
        C(--json), C(--yes), C(--dry-run), C(--format) and the fleet flags (C(--host), C(--inventory), C(--limit),
        C(--cluster)...) in O(command); Ansible chooses the hosts.
    type: raw
    required: true
attributes:
  check_mode: {support: full}
  diff_mode: {support: full}
'''

EXAMPLES = r'''
- name: Allow logins only from the admin network (sshield proves your own session keeps its way in)
  sshield.openssh.sshield_change:
    command: [allow, add, 192.0.2.0/24, 2001:db8::/32]

- name: An SFTP-only account jailed in /srv/sftp/alice
  sshield.openssh.sshield_change:
    command: user sftp alice --create --chroot /srv/sftp/alice

- name: Trust the CA for user certificates
  sshield.openssh.sshield_change:
    command: [ca, trust, /etc/ssh/admin_ca.pub]

- name: Confirm a change left pending (confirm false) from this new connection
  sshield.openssh.sshield_change:
    command: confirm
'''

RETURN = r'''
outcome:
  description: sshield's outcome kind (applied, nothing-to-do, dry-run, refused, stale, pending-confirm, failed, error).
  returned: always
  type: str
files:
  description: The files the plan writes.
  returned: always
  type: list
  elements: str
backup_id:
  description: The backup of this change.
  returned: when applied
  type: str
confirm_deadline:
  description: ms since the epoch until which the change awaits C(sshield confirm).
  returned: when a confirm window was armed
  type: int
messages:
  description: sshield's messages for people.
  returned: always
  type: list
  elements: str
sshield:
  description: The change envelope the command printed (schemas/change.schema.json), without the files' full texts.
  returned: always
  type: dict
rc:
  description: sshield's exit code (0 as asked, 2 failed or error, 3 nothing changed on purpose).
  returned: always
  type: int
'''

import shlex

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six import string_types
from ansible_collections.sshield.openssh.plugins.module_utils.sshield import BINARY_ARGS, CHANGE_ARGS, change_flags, change_result, ensure_binary, parse_json, run_sshield

COMMANDS = {
    'allow': ('add', 'remove'),
    'user': ('nologin', 'add', 'sftp'),
    'keys': ('restrict', 'unrestrict', 'add', 'remove'),
    'ca': ('trust', 'sign-host'),
    'restore': None,
    'confirm': None,
    'upgrade': None,
    'harden': None,
}
OWNED = ('--json', '--yes', '--dry-run', '--format', '--host', '--inventory', '--limit', '--cluster', '--parallel', '--host-timeout', '--ssh-config', '--ssh-option')


def words_of(module, command):
    if isinstance(command, string_types):
        words = shlex.split(command)
    elif isinstance(command, list):
        words = [str(w) for w in command]
    else:
        module.fail_json(msg='command: a list of words or a string, got %s' % type(command).__name__)
    if not words or words[0] not in COMMANDS:
        module.fail_json(msg='command: %s is not a changing sshield command (one of %s)' % (words[0] if words else 'nothing', ', '.join(sorted(COMMANDS))))
    subs = COMMANDS[words[0]]
    if subs is not None and (len(words) < 2 or words[1] not in subs):
        module.fail_json(msg='command: %s takes %s next (the changing ones), got %s' % (words[0], ' | '.join(subs), words[1] if len(words) > 1 else 'nothing'))
    for w in words:
        if w.split('=', 1)[0] in OWNED:
            module.fail_json(msg='command: %s is set by the module (check mode, output) or by Ansible (the hosts): leave it out' % w)
    return words


def main():
    module = AnsibleModule(argument_spec=dict(BINARY_ARGS, **dict(CHANGE_ARGS, command=dict(type='raw', required=True))), supports_check_mode=True)
    words = words_of(module, module.params['command'])
    path, binary = ensure_binary(module)
    # confirm has no plan and nothing to dry-run; it takes only --backup-dir/--sshd of the shared flags.
    if words[0] == 'confirm':
        if module.check_mode:
            module.exit_json(changed=False, outcome='dry-run', msg='check mode: confirm skipped', binary=binary)
        argv = words + ['--json'] + [a for a in change_flags(dict(backup_dir=module.params['backup_dir'], sshd=module.params['sshd']))]
    else:
        argv = words + ['--json', '--dry-run' if module.check_mode else '--yes'] + change_flags(module.params)
    rc, out, err = run_sshield(module, path, argv)
    change_result(module, parse_json(module, rc, out, err, argv), rc, err, binary, argv)


if __name__ == '__main__':
    main()
