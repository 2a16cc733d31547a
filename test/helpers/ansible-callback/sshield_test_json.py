# A stdout callback for the tests (Debian's ansible-core has no json callback; that one lives in
# ansible.posix): one JSON document on stdout at the end, {plays: [{tasks: [{task: {name},
# hosts: {HOST: result}}]}], stats: {HOST: {ok, changed, failures, unreachable, skipped}}}, the
# shape of ansible.posix.json, so test/helpers/ansible.ts reads each task's per-host result.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = '''
name: sshield_test_json
type: stdout
short_description: the play's results as one JSON document (sshield tests)
description: the play's results as one JSON document (sshield tests)
'''

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'sshield_test_json'

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append(dict(play=dict(name=play.get_name()), tasks=[]))

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]['tasks'].append(dict(task=dict(name=task.get_name()), hosts={}))

    def _record(self, result, **extra):
        r = dict(result._result)
        r.update(extra)
        self.plays[-1]['tasks'][-1]['hosts'][result._host.get_name()] = r

    def v2_runner_on_ok(self, result, **kwargs):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._record(result, failed=True)

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._record(result, unreachable=True)

    def v2_runner_on_skipped(self, result, **kwargs):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        out = {}
        for h in sorted(stats.processed.keys()):
            s = stats.summarize(h)
            out[h] = dict(ok=s['ok'], changed=s['changed'], failures=s['failures'], unreachable=s['unreachable'], skipped=s['skipped'])
        self._display.display(json.dumps(dict(plays=self.plays, stats=out), default=str))
