# -*- coding: utf-8 -*-
# The target side of every sshield.openssh module: make sure the single executable the controller
# shipped is in place and is the one asked for (by sha256, in a root-only directory), run it with
# --json (and --dry-run in check mode), and turn its one JSON document into Ansible's result
# (changed / failed / diff). It never edits sshd files itself: sshield's own change flow on the
# host does (guards, backup, verified write, sshd -t, reload, verify, rollback).
# Copyright: sshield contributors; MIT License (see the repository's LICENSE).
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import stat
import subprocess
import tempfile

DEFAULT_BIN_DIR = '/var/lib/sshield/bin'
SHA256_RE = re.compile(r'^[0-9a-f]{64}$')
CHUNK = 1 << 20
# Older executables kept besides the one in use (as sshield's remote runner: src/fleet/remote-binary.ts KEEP_OLD).
KEEP_OLD = 2

# Options the action plugin fills in (never set by hand): what the binary must hash to, and
# where the controller put a fresh copy when the target's was missing or different.
BINARY_ARGS = dict(
    bin_dir=dict(type='path', default=DEFAULT_BIN_DIR),
    binary_sha256=dict(type='str', required=True),
    binary_upload=dict(type='path'),
    timeout=dict(type='int', default=600),
)

# The guard overrides every changing command may take (sshield's --allow-NAME flags).
GUARD_NAMES = ['no-key-admin', 'session-lockout', 'user-lockout', 'admin-lockout', 'cluster-break', 'cluster-lockout', 'bad-chroot', 'hostkey-mismatch',
               'principals-change', 'root-principals', 'long-validity']

# What a change may be told (shared by sshield_harden and sshield_change).
CHANGE_ARGS = dict(
    backup_dir=dict(type='path'),
    sshd=dict(type='path'),
    allow=dict(type='list', elements='str', default=[], choices=GUARD_NAMES),
    confirm_timeout=dict(type='int'),
    confirm=dict(type='bool', default=True),
    verify_user=dict(type='str'),
    verify_key=dict(type='path'),
)


class BinaryMismatch(Exception):
    """The cached executable is missing or not the one asked for: the controller sends it again."""


def _sha256_fd(fd, copy_to=None):
    h = hashlib.sha256()
    while True:
        b = os.read(fd, CHUNK)
        if not b:
            return h.hexdigest()
        h.update(b)
        if copy_to is not None:
            view = memoryview(b)
            while view:
                n = os.write(copy_to, view)
                view = view[n:]


def _root_only_dir(path):
    """Creates path (0700) and checks it and every ancestor: directories of this user, no symlink, not writable by others."""
    if not os.path.isabs(path):
        raise ValueError('bin_dir %s: not an absolute path' % path)
    if not os.path.isdir(path):
        os.makedirs(path, 0o700)
    me = os.geteuid()
    cur = path
    while True:
        st = os.lstat(cur)
        if not stat.S_ISDIR(st.st_mode):
            raise ValueError('%s: not a directory (a symlink or a file); the executable cache must be a real directory' % cur)
        if st.st_uid not in (0, me):
            raise ValueError('%s: owned by uid %d, not by root: refusing to run an executable kept there' % (cur, st.st_uid))
        if st.st_mode & 0o022 and not (cur != path and st.st_mode & stat.S_ISVTX and st.st_uid == 0):
            raise ValueError('%s: writable by group or others (mode %o): refusing to run an executable kept there' % (cur, stat.S_IMODE(st.st_mode)))
        if cur == path and stat.S_IMODE(st.st_mode) != 0o700:
            os.chmod(path, 0o700)
        parent = os.path.dirname(cur)
        if parent == cur:
            return
        cur = parent


def _verify(path, sha):
    """The file at path is a regular file of this user, not writable by others, hashing to sha."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise BinaryMismatch('%s: missing or a symlink' % path)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
            raise BinaryMismatch('%s: not a regular file of this user with mode 0700' % path)
        got = _sha256_fd(fd)
    finally:
        os.close(fd)
    if got != sha:
        raise BinaryMismatch('%s: sha256 %s, expected %s' % (path, got, sha))


def _install(upload, bin_dir, final, sha):
    """Copies the uploaded file into bin_dir, hashing it on the way; renames it into place only when it matches."""
    src = os.open(upload, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        _check_arch(src)
    except ValueError:
        os.close(src)
        raise
    fd, part = tempfile.mkstemp(prefix='.sshield-', dir=bin_dir)
    try:
        try:
            got = _sha256_fd(src, copy_to=fd)
            if got != sha:
                raise ValueError('the transferred executable hashes to %s, expected %s (damaged in transfer?)' % (got, sha))
            os.fchmod(fd, 0o700)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.close(src)
        os.rename(part, final)
        dfd = os.open(bin_dir, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except Exception:
        if os.path.exists(part):
            os.unlink(part)
        raise
    finally:
        try:
            os.unlink(upload)
        except OSError:
            pass
    # Older versions (named by their own sha256, ~110 MB each): the newest KEEP_OLD stay, for hosts
    # of a fleet being upgraded (the same rule as sshield's own remote runner, which shares this directory).
    old = []
    for name in os.listdir(bin_dir):
        m = re.match(r'^sshield-([0-9a-f]{64})$', name)
        if m and m.group(1) != sha:
            old.append((os.lstat(os.path.join(bin_dir, name)).st_mtime, name))
    for _, name in sorted(old, reverse=True)[KEEP_OLD:]:
        os.unlink(os.path.join(bin_dir, name))


# ELF e_machine (elf.h) -> the machines os.uname() names for it.
ELF_MACHINES = {62: ('x86_64', 'amd64'), 183: ('aarch64', 'arm64')}


def _check_arch(fd):
    """The executable is a 64-bit ELF for this machine (an x64 build on an arm64 host is named, not run)."""
    head = os.pread(fd, 20, 0)
    if len(head) < 20 or head[:4] != b'\x7fELF' or head[4] != 2:
        raise ValueError('not a 64-bit ELF executable: binary must be dist/sshield-linux-x64 or -arm64')
    machine = head[18] | (head[19] << 8) if head[5] == 1 else (head[18] << 8) | head[19]
    here = os.uname().machine
    if here not in ELF_MACHINES.get(machine, ()):
        name = {62: 'x86-64', 183: 'arm64'}.get(machine, 'machine %d' % machine)
        raise ValueError('the executable is for %s, this host is %s: set binary (a host or group variable sshield_binary) to dist/sshield-linux-%s for it' % (name, here, 'arm64' if here in ('aarch64', 'arm64') else 'x64'))


def ensure_binary(module):
    """The verified executable's path and facts; fails the module (binary_mismatch) when the controller must send it."""
    p = module.params
    sha = p['binary_sha256']
    if not SHA256_RE.match(sha or ''):
        module.fail_json(msg='binary_sha256: not a sha256 (set by the action plugin; run the module through it)')
    if os.geteuid() != 0:
        module.fail_json(msg='sshield runs as root on the target (the executable cache is root-only): use become: true')
    bin_dir = p['bin_dir']
    final = os.path.join(bin_dir, 'sshield-' + sha)
    try:
        _root_only_dir(bin_dir)
        if p.get('binary_upload'):
            _install(p['binary_upload'], bin_dir, final, sha)
            transferred = True
        else:
            transferred = False
        _verify(final, sha)
    except BinaryMismatch as e:
        module.fail_json(msg=str(e), binary_mismatch=True)
    except (OSError, ValueError) as e:
        module.fail_json(msg='sshield executable: %s' % e)
    return final, dict(path=final, sha256=sha, transferred=transferred)


def run_sshield(module, path, argv):
    """Runs the executable; (rc, stdout, stderr). No terminal, no colour, nothing on stdin."""
    env = dict(os.environ)
    env['NO_COLOR'] = '1'
    env.pop('FORCE_COLOR', None)
    try:
        r = subprocess.run([path] + argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=module.params['timeout'])
    except subprocess.TimeoutExpired:
        module.fail_json(msg='sshield %s: no answer within %d s (timeout)' % (' '.join(argv[:2]), module.params['timeout']), cmd=[path] + argv)
    return r.returncode, r.stdout.decode('utf-8', 'replace'), r.stderr.decode('utf-8', 'replace')


def parse_json(module, rc, out, err, argv):
    try:
        return json.loads(out)
    except ValueError:
        module.fail_json(msg='sshield %s: %s' % (' '.join(argv), (err.strip() or out.strip() or 'no output')), rc=rc, stdout=out, stderr=err)


def profile_flags(module):
    """--profile: a name or a target path as given, or the inline policy written to the module's temp directory."""
    p = module.params
    if p.get('policy') is not None:
        path = os.path.join(module.tmpdir, 'sshield-policy.yml')
        policy = p['policy']
        with open(path, 'w') as f:
            if isinstance(policy, dict):
                # JSON is YAML: sshield's policy parser reads it and reports file:line on a mistake.
                # A date YAML read unquoted (expires: 2027-06-30) is written back as that date.
                json.dump(policy, f, indent=1, sort_keys=True, default=str)
            elif isinstance(policy, str):
                f.write(policy)
            else:
                module.fail_json(msg='policy: a mapping (extends, rules, waivers) or the YAML text of a policy file, got %s' % type(policy).__name__)
        return ['--profile', path]
    if p.get('profile'):
        return ['--profile', p['profile']]
    return []


# What sshield_audit and sshield_harden are told alike: the policy, the admin and the files.
TARGET_ARGS = dict(
    profile=dict(type='str'),
    policy=dict(type='raw'),
    admin=dict(type='str'),
    config_file=dict(type='path'),
    root=dict(type='path'),
)
TARGET_EXCLUSIVE = [('config_file', 'root'), ('profile', 'policy')]


def value_flags(params, pairs):
    """FLAG VALUE for each (option, FLAG) of pairs that is set, in the order of pairs."""
    argv = []
    for opt, flag in pairs:
        if params.get(opt):
            argv += [flag, params[opt]]
    return argv


def target_flags(module):
    """The flags of TARGET_ARGS, in sshield's words."""
    return profile_flags(module) + value_flags(module.params, (('admin', '--admin'), ('config_file', '--file'), ('root', '--root')))


def change_flags(params):
    """The flags of the shared change options, in sshield's words."""
    argv = []
    if params.get('backup_dir'):
        argv += ['--backup-dir', params['backup_dir']]
    if params.get('sshd'):
        argv += ['--sshd', params['sshd']]
    for name in params.get('allow') or []:
        argv.append('--allow-' + name)
    if params.get('confirm_timeout') is not None:
        argv += ['--confirm-timeout', str(params['confirm_timeout'])]
    if params.get('verify_user'):
        argv += ['--verify-user', params['verify_user']]
    if params.get('verify_key'):
        argv += ['--verify-key', params['verify_key']]
    return argv


def _text(latin1):
    """The plan's bytes (one character per byte) as text for Ansible's diff."""
    try:
        return latin1.encode('latin-1').decode('utf-8', 'replace')
    except (UnicodeEncodeError, AttributeError):
        return latin1 or ''


def plan_diff(plan):
    """Ansible's diff (before/after per file) from the plan sshield made."""
    out = []
    for f in (plan or {}).get('files') or []:
        out.append(dict(
            before_header=f.get('path'),
            after_header=f.get('path'),
            before=_text(f.get('before', '')),
            after='' if f.get('action') == 'delete' else _text(f.get('after', '')),
        ))
    return out


def _slim(envelope):
    """The envelope without the file contents (those are in the diff when asked for)."""
    plan = envelope.get('plan')
    if not plan:
        return envelope
    files = [dict((k, v) for k, v in f.items() if k not in ('before', 'after', 'edits')) for f in plan.get('files') or []]
    return dict(envelope, plan=dict(plan, files=files))


def change_result(module, envelope, rc, err, binary, argv):
    """Exits the module with changed/failed from sshield's one Outcome (kind and exit code)."""
    outcome = envelope.get('outcome') or {}
    kind = outcome.get('kind')
    plan = envelope.get('plan')
    res = dict(
        changed=False,
        outcome=kind,
        rc=rc,
        cmd=argv,
        binary=binary,
        sshield=_slim(envelope),
        messages=[m.get('text') for m in envelope.get('messages') or []],
        files=[f.get('path') for f in (plan or {}).get('files') or []],
    )
    if outcome.get('backupId'):
        res['backup_id'] = outcome['backupId']
    if outcome.get('confirmDeadline') is not None:
        res['confirm_deadline'] = outcome['confirmDeadline']
    if module._diff and plan:
        res['diff'] = plan_diff(plan)
    would_change = bool(plan and ((plan.get('files') or []) or (plan.get('steps') or [])))
    if kind == 'applied':
        res['changed'] = True
        module.exit_json(**res)
    if kind == 'nothing-to-do':
        module.exit_json(**res)
    if kind == 'dry-run':
        res['changed'] = would_change
        if outcome.get('wouldRefuse'):
            res['msg'] = 'check mode: the real run would be refused: %s' % outcome['wouldRefuse']
            module.fail_json(**res)
        module.exit_json(**res)
    reason = outcome.get('reason') or kind or (err.strip() or 'no outcome')
    # The envelope's error messages say what exactly (which address, which line): part of the reason.
    said = [m.get('text') for m in envelope.get('messages') or [] if m.get('level') == 'error' and m.get('text') and m.get('text') not in reason]
    if said:
        reason = '%s (%s)' % (reason, '; '.join(said))
    if kind == 'failed':
        res['rolled_back'] = outcome.get('rolledBack')
        res['step'] = outcome.get('step')
        res['msg'] = 'sshield %s failed at %s: %s%s' % (envelope.get('command'), outcome.get('step'), reason, '' if outcome.get('rolledBack') else ' (NOT rolled back: %s)' % outcome.get('rollbackError', 'see the backup'))
    else:
        res['msg'] = 'sshield %s: %s: %s' % (envelope.get('command'), kind, reason)
    module.fail_json(**res)
