#!/usr/bin/python
# -*- coding: utf-8 -*-
# sshield_audit: `sshield audit --json` on the target (never changes anything); the report in the
# result, failed only when a rule at or above fail_on fails (or the audit itself could not run).
# Copyright: sshield contributors; MIT License.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sshield_audit
short_description: Audit the effective sshd configuration and the OpenSSH build with sshield
description:
  - Runs C(sshield audit --json) on the target with the single executable the action plugin ensures is there (by sha256).
  - Returns the report (every rule's status, severity, message, the file:line and the remediation) and a short list of
    the failing rules. Never changes the host (C(changed) is always false); supports check mode.
  - Fails only when O(fail_on) is set and a rule at or above that severity fails, or when the audit cannot run.
version_added: 0.1.0
author: sshield contributors
extends_documentation_fragment: [sshield.openssh.sshield, sshield.openssh.sshield.policy]
options:
  profile:
    description: C(baseline), C(proxmox), C(strict), or the path ON THE TARGET of a YAML policy file (default as sshield decides, proxmox on PVE hosts).
    type: str
  fail_on:
    description: Fail the task when a rule at or above this severity fails (sshield's C(--fail-on)). Unset, findings never fail the task.
    type: str
    choices: [info, low, medium, high, critical]
  admin:
    description: The admin account the audit evaluates (C(--admin)).
    type: str
  openssh:
    description: Override the detected OpenSSH build (C(--openssh)), e.g. C(9.2p1-debian).
    type: str
  config_file:
    description: Audit this sshd_config (C(-f)) instead of C(/etc/ssh/sshd_config).
    type: path
  root:
    description: Audit an offline root directory on the target (C(--root)) instead of the live host.
    type: path
attributes:
  check_mode: {support: full}
  diff_mode: {support: none}
'''

EXAMPLES = r'''
- name: Audit every host, fail the hosts with a high or critical finding
  sshield.openssh.sshield_audit:
    binary: "{{ playbook_dir }}/files/sshield-linux-x64"
    profile: proxmox
    fail_on: high
  register: audit

- name: Show what fails
  ansible.builtin.debug:
    msg: "{{ audit.failing | map(attribute='rule') | list }}"
'''

RETURN = r'''
report:
  description: The report exactly as C(sshield audit --json) prints it (schemas/audit.schema.json in sshield).
  returned: success
  type: dict
summary:
  description: Counts of pass, fail, warn, skip and waived rules.
  returned: success
  type: dict
  sample: {pass: 36, fail: 11, warn: 1, skip: 1, waived: 0}
failing:
  description: The rules that fail or warn (not waived), each with its id, status, severity and message.
  returned: success
  type: list
  elements: dict
  sample: [{rule: sshd/limit-login-grace-time, status: fail, severity: medium, message: "LoginGraceTime is 120s, should be at most 30s"}]
waived:
  description: The failing rules a policy waiver covers, with its reason and expiry.
  returned: success
  type: list
  elements: dict
rc:
  description: sshield's exit code (0 nothing at or above fail_on, 1 something is, 2 the audit could not run).
  returned: always
  type: int
binary:
  description: The executable that ran (path, sha256, whether it was transferred in this task).
  returned: success
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sshield.openssh.plugins.module_utils.sshield import BINARY_ARGS, TARGET_ARGS, TARGET_EXCLUSIVE, ensure_binary, parse_json, run_sshield, target_flags, value_flags


def main():
    module = AnsibleModule(
        argument_spec=dict(
            BINARY_ARGS,
            **dict(
                TARGET_ARGS,
                fail_on=dict(type='str', choices=['info', 'low', 'medium', 'high', 'critical']),
                openssh=dict(type='str'),
            )
        ),
        mutually_exclusive=TARGET_EXCLUSIVE,
        supports_check_mode=True,
    )
    p = module.params
    path, binary = ensure_binary(module)
    argv = ['audit', '--json'] + target_flags(module) + value_flags(p, (('fail_on', '--fail-on'), ('openssh', '--openssh')))
    rc, out, err = run_sshield(module, path, argv)
    if rc not in (0, 1):
        module.fail_json(msg='sshield audit: %s' % (err.strip() or 'exit %d' % rc), rc=rc, stderr=err, binary=binary)
    report = parse_json(module, rc, out, err, argv)
    failing = [
        dict(rule=r.get('ruleId'), status=r.get('status'), severity=r.get('severity'), message=r.get('message'))
        for r in report.get('results') or []
        if r.get('status') in ('fail', 'warn') and not r.get('waived')
    ]
    waived = [dict(rule=r.get('ruleId'), reason=r['waived'].get('reason'), expires=r['waived'].get('expires')) for r in report.get('results') or [] if r.get('waived')]
    res = dict(changed=False, rc=rc, report=report, summary=report.get('summary'), failing=failing, waived=waived, binary=binary)
    if rc == 1 and p.get('fail_on'):
        rank = ['info', 'low', 'medium', 'high', 'critical']
        over = [f['rule'] for f in failing if f['status'] == 'fail' and f['severity'] in rank and rank.index(f['severity']) >= rank.index(p['fail_on'])]
        res['msg'] = 'sshield audit: rules failing at or above %s: %s' % (p['fail_on'], ', '.join(over))
        module.fail_json(**res)
    # rc 1 (findings) without fail_on is a success: said explicitly, or Ansible takes rc != 0 as failed.
    module.exit_json(failed=False, **res)


if __name__ == '__main__':
    main()
