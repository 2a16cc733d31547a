# -*- coding: utf-8 -*-
# The one table from sshield's Outcome to Ansible's result (module_utils/sshield.py change_result),
# for every outcome kind of schemas/change.schema.json: changed / failed / msg / diff. Run by
# test/unit/ansible/outcomes.test.ts (`python3 -m unittest`), which also passes the schema's kinds
# (SSHIELD_OUTCOME_KINDS) so a new kind without a row here fails.
from __future__ import absolute_import, division, print_function

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, '..', '..', '..', '..', '..')))

from ansible_collections.sshield.openssh.plugins.module_utils.sshield import change_result, plan_diff  # noqa: E402


class Exit(Exception):
    def __init__(self, failed, result):
        Exception.__init__(self)
        self.failed = failed
        self.result = result


class FakeModule(object):
    def __init__(self, diff=False):
        self._diff = diff

    def exit_json(self, **kw):
        raise Exit(False, kw)

    def fail_json(self, **kw):
        raise Exit(True, kw)


PLAN = {
    'kind': 'harden',
    'files': [
        {'path': '/etc/ssh/sshd_config', 'action': 'write', 'before': 'PasswordAuthentication yes\n', 'after': 'PasswordAuthentication no\n', 'edits': [], 'diff': '@@'},
        {'path': '/etc/ssh/sshd_config.d/50-cloud-init.conf', 'action': 'delete', 'before': 'X11Forwarding yes\n', 'after': '', 'edits': [], 'diff': '@@'},
        # A latin1 carrier of UTF-8 bytes (one character per byte), as the envelope has it.
        {'path': '/etc/ssh/banner', 'action': 'write', 'before': '', 'after': u'gr\u00c3\u00bc\u00c3\u009fe\n', 'edits': [], 'diff': '@@'},
    ],
    'steps': [],
}

# kind -> (outcome fields, exit code, failed, changed, msg pattern)
ROWS = {
    'applied': ({'backupId': '20261205T000000Z', 'notes': []}, 0, False, True, None),
    'nothing-to-do': ({}, 0, False, False, None),
    'dry-run': ({}, 0, False, True, None),
    'refused': ({'reason': 'your session could not log in again (override: --allow-session-lockout)'}, 3, True, False, 'sshield harden: refused: your session could not log in again (override: --allow-session-lockout)'),
    'declined': ({}, 3, True, False, 'sshield harden: declined: declined'),
    'no-tty': ({}, 3, True, False, 'sshield harden: no-tty: no-tty'),
    'stale': ({'reason': '/etc/ssh/sshd_config changed since it was planned'}, 3, True, False, 'sshield harden: stale: /etc/ssh/sshd_config changed since it was planned'),
    'pending-confirm': ({'backupId': 'B', 'reason': 'another change awaits sshield confirm'}, 3, True, False, 'sshield harden: pending-confirm: another change awaits sshield confirm'),
    'failed': ({'step': 'validate', 'reason': 'sshd -t: line 3: Bad option', 'rolledBack': True}, 2, True, False, 'sshield harden failed at validate: sshd -t: line 3: Bad option'),
    'error': ({'reason': 'invalid addresses; nothing changed'}, 2, True, False, 'sshield harden: error: invalid addresses; nothing changed (allow add: "x": not an address)'),
}


def envelope(kind, extra, code, plan=PLAN):
    outcome = dict(extra, kind=kind, exitCode=code)
    messages = [{'level': 'error', 'text': 'allow add: "x": not an address'}] if kind == 'error' else [{'level': 'info', 'text': 'verified'}]
    return {'schemaVersion': 1, 'command': 'harden', 'outcome': outcome, 'plan': plan, 'backup': None, 'verify': None, 'messages': messages}


def run(env, diff=False, rc=0):
    try:
        change_result(FakeModule(diff), env, rc, '', {'path': '/x', 'sha256': '0' * 64, 'transferred': False}, ['harden'])
    except Exit as e:
        return e
    raise AssertionError('change_result returned without exiting')


class OutcomeTable(unittest.TestCase):
    def test_every_schema_kind_has_a_row(self):
        kinds = json.loads(os.environ.get('SSHIELD_OUTCOME_KINDS', '[]'))
        self.assertTrue(kinds, 'SSHIELD_OUTCOME_KINDS not given')
        self.assertEqual(sorted(kinds), sorted(ROWS))

    def test_rows(self):
        for kind, (extra, code, failed, changed, msg) in ROWS.items():
            e = run(envelope(kind, extra, code), rc=code)
            self.assertEqual(e.failed, failed, kind)
            self.assertEqual(e.result['changed'], changed, kind)
            self.assertEqual(e.result['outcome'], kind)
            self.assertEqual(e.result['rc'], code)
            self.assertEqual(e.result['files'], [f['path'] for f in PLAN['files']])
            if msg is not None:
                self.assertEqual(e.result['msg'], msg, kind)
            # The envelope comes back without the files' texts (those are the diff's).
            for f in e.result['sshield']['plan']['files']:
                self.assertFalse(set(f) & {'before', 'after', 'edits'}, kind)

    def test_applied_names_backup_and_deadline(self):
        e = run(envelope('applied', {'backupId': 'B1', 'notes': [], 'confirmDeadline': 1796430000000}, 0))
        self.assertEqual((e.result['backup_id'], e.result['confirm_deadline']), ('B1', 1796430000000))

    def test_dry_run_without_changes_is_unchanged_and_a_refusal_it_predicts_fails(self):
        e = run(envelope('dry-run', {}, 0, plan=dict(PLAN, files=[], steps=[])))
        self.assertEqual((e.failed, e.result['changed']), (False, False))
        e = run(envelope('dry-run', {'wouldRefuse': 'no admin has a key (override: --allow-no-key-admin)'}, 0))
        self.assertTrue(e.failed)
        self.assertEqual(e.result['msg'], 'check mode: the real run would be refused: no admin has a key (override: --allow-no-key-admin)')
        # A plan of host steps only (an account, a shell) changes the host too.
        e = run(envelope('dry-run', {}, 0, plan=dict(PLAN, files=[], steps=[{'kind': 'set-shell'}])))
        self.assertTrue(e.result['changed'])

    def test_failed_not_rolled_back_says_so(self):
        e = run(envelope('failed', {'step': 'reload', 'reason': 'kill: ESRCH', 'rolledBack': False, 'rollbackError': 'EIO writing /etc/ssh/sshd_config'}, 2))
        self.assertEqual(e.result['msg'], 'sshield harden failed at reload: kill: ESRCH (NOT rolled back: EIO writing /etc/ssh/sshd_config)')
        self.assertIs(e.result['rolled_back'], False)

    def test_no_plan(self):
        e = run(envelope('error', {'reason': 'bad flag'}, 2, plan=None), diff=True)
        self.assertTrue(e.failed)
        self.assertEqual(e.result['files'], [])
        self.assertNotIn('diff', e.result)

    def test_diff_only_when_asked_before_after_per_file(self):
        self.assertNotIn('diff', run(envelope('applied', {'backupId': 'B', 'notes': []}, 0)).result)
        d = run(envelope('applied', {'backupId': 'B', 'notes': []}, 0), diff=True).result['diff']
        self.assertEqual(d, plan_diff(PLAN))
        self.assertEqual(d[0], {'before_header': '/etc/ssh/sshd_config', 'after_header': '/etc/ssh/sshd_config', 'before': 'PasswordAuthentication yes\n', 'after': 'PasswordAuthentication no\n'})
        self.assertEqual(d[1]['after'], '', 'a deleted file has nothing after')
        self.assertEqual(d[2]['after'], u'gr\u00fc\u00dfe\n', 'the bytes are shown as the UTF-8 text they are')


if __name__ == '__main__':
    unittest.main()
