# -*- coding: utf-8 -*-
# The controller side of every sshield.openssh module: ENSURE the single executable is on the
# target (hash it here, stat BIN_DIR/sshield-SHA256 there, transfer only when missing or of
# another size; the module re-hashes before use and asks once more on a mismatch), run the module,
# and for a change with a confirm window, confirm it from a NEW connection with Ansible's own
# credentials (the ssh ControlMaster is stopped first), so the change stays only when Ansible can
# still log in. It never runs sshield itself and never edits target files other than the cache.
# Copyright: sshield contributors; MIT License.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

DEFAULT_BIN_DIR = '/var/lib/sshield/bin'
_hashes = {}


def local_sha256(path):
    """sha256 of the controller's executable, once per file version in this worker."""
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _hashes:
        h = hashlib.sha256()
        with open(path, 'rb') as f:
            for b in iter(lambda: f.read(1 << 20), b''):
                h.update(b)
        _hashes[key] = h.hexdigest()
    return _hashes[key], st.st_size


class SshieldAction(ActionBase):
    """Base of the three action plugins; MODULE names the module the action runs."""

    MODULE = None
    TRANSFERS_FILES = True

    def _binary(self, args, task_vars):
        given = args.pop('binary', None)
        if given is None and task_vars.get('sshield_binary') is not None:
            given = self._templar.template(task_vars['sshield_binary'])
        if given is None:
            given = os.environ.get('SSHIELD_BINARY')
        if not given:
            raise AnsibleError('sshield: no executable to ship: set binary (or the variable sshield_binary, or SSHIELD_BINARY) to dist/sshield-linux-x64')
        path = os.path.expanduser(to_text(given))
        if not os.path.isfile(path):
            raise AnsibleError('sshield: binary %s: no such file on the controller (build it with scripts/build-sea.sh)' % path)
        return path

    def _run_module(self, module, args, task_vars):
        return self._execute_module(module_name=module, module_args=args, task_vars=task_vars)

    def _upload(self, local):
        if self._connection._shell.tmpdir is None:
            self._make_tmp_path()
        remote = self._connection._shell.join_path(self._connection._shell.tmpdir, 'sshield.upload')
        self._transfer_file(local, remote)
        self._fixup_perms2((self._connection._shell.tmpdir, remote), execute=False)
        return remote

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(SshieldAction, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        try:
            local = self._binary(args, task_vars)
            sha, size = local_sha256(local)
            bin_dir = args.get('bin_dir') or DEFAULT_BIN_DIR
            remote = '%s/sshield-%s' % (bin_dir.rstrip('/'), sha)
            st = self._execute_remote_stat(remote, all_vars=task_vars, follow=False, checksum=False)
            upload = None
            if not (st.get('exists') and st.get('isreg') and st.get('size') == size):
                display.vvv('sshield: sending %s (sha256 %s) to %s' % (local, sha, remote))
                upload = self._upload(local)
            margs = dict(args, binary_sha256=sha, binary_upload=upload)
            res = self._run_module(self.MODULE, margs, task_vars)
            if res.get('binary_mismatch') and upload is None:
                # Present but not the file asked for (damaged, replaced): send it once more.
                why = 'sshield: %s; sending it again' % res.get('msg')
                margs['binary_upload'] = self._upload(local)
                res = self._run_module(self.MODULE, margs, task_vars)
                res.setdefault('warnings', []).append(why)
            res.pop('binary_mismatch', None)
            res = self._after(res, args, task_vars)
            result.update(res)
            return result
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _after(self, res, args, task_vars):
        return res


class SshieldChangeAction(SshieldAction):
    """A change: confirms a change awaiting confirmation from a NEW connection when asked to."""

    def _after(self, res, args, task_vars):
        if res.get('failed') or res.get('outcome') != 'applied' or res.get('confirm_deadline') is None:
            return res
        if not args.get('confirm', True):
            res['confirmed'] = False
            res.setdefault('warnings', []).append('sshield: the change awaits `sshield confirm` from a new login until %s ms since the epoch, else it is rolled back' % res['confirm_deadline'])
            return res
        # A new login with Ansible's own credentials: stop the multiplexing master (ssh) so the
        # next command opens a new connection; sshield refuses a confirm from the session that made the change.
        self._remove_tmp_path(self._connection._shell.tmpdir)
        self._connection.reset()
        sha = res.get('binary', {}).get('sha256')
        cargs = dict(command=['confirm'], binary_sha256=sha, bin_dir=args.get('bin_dir') or DEFAULT_BIN_DIR)
        for k in ('backup_dir', 'sshd', 'timeout'):
            if args.get(k) is not None:
                cargs[k] = args[k]
        c = self._run_module('sshield.openssh.sshield_change', cargs, task_vars)
        res['confirm'] = dict((k, c.get(k)) for k in ('outcome', 'rc', 'msg', 'messages') if k in c)
        if c.get('failed'):
            res['confirmed'] = False
            res['failed'] = True
            res['msg'] = 'sshield: applied, but the confirm from a new connection failed (%s); the host rolls the change back when the window ends' % (c.get('msg') or c.get('outcome'))
        else:
            res['confirmed'] = True
        return res
