// keys/require-restrictions: a key bound to a forced command (command="...") or belonging to an
// account without a login shell exists for one job; it must not also get a PTY, port, agent or
// X11 forwarding or ~/.ssh/rc (sshd(8) AUTHORIZED_KEYS FILE FORMAT; flags as sshauthopt_parse in
// auth-options.c, OpenSSH 9.2, leaves them: `restrict` turns all off, later flags win).
// The remediation is the `sshield keys restrict` command that adds exactly the missing options.
import { defineRule } from '../define-rule.js';
import { guide } from '../references.js';
import { isMissing } from '../types.js';
import { effectivePermissions, flagText, PERMISSIONS } from '../../keys/options.js';

export default defineRule({
  meta: {
    id: 'keys/require-restrictions',
    title: 'forced-command keys and keys of non-login accounts are restricted',
    severity: 'medium',
    tags: ['forwarding', 'access'],
    profile: 'baseline',
    keywords: ['AuthorizedKeysFile'],
    references: [guide('SSH-keys: no-agent-forwarding, no-port-forwarding, no-pty, no-user-rc, no-X11-forwarding'), { source: 'sshd(8)', item: 'AUTHORIZED_KEYS FILE FORMAT', url: 'https://man.openbsd.org/sshd#AUTHORIZED_KEYS_FILE_FORMAT' }],
    remediable: 'manual',
    docs: {
      what: 'For every key that has a `command="..."` option, and every key of an account whose shell is not a login shell (nologin, false), checks that the key cannot allocate a PTY, forward ports, the agent or X11, or run ~/.ssh/rc: each of `no-pty`, `no-port-forwarding`, `no-agent-forwarding`, `no-X11-forwarding`, `no-user-rc` in force, or `restrict`.',
      why: 'A forced command does not stop port forwarding: a backup key with `command="rsync ..."` alone still lets its holder tunnel into the internal network (`ssh -N -L`). An account without a shell is likewise only a forwarding hole if its keys are not restricted.',
      fix: 'Run the remediation command, e.g. `sshield keys restrict --user backup --fingerprint SHA256:... --options no-agent-forwarding,no-port-forwarding,no-pty,no-user-rc,no-X11-forwarding` (or `--restrict`): it shows the diff of that line only and keeps every other byte.',
      whenNot: 'A forced command that legitimately needs a PTY (an interactive menu) or one forwarding (a `permitopen`-limited tunnel key): add the other restrictions and waive the rule for that key.',
    },
  },
  check(ctx) {
    const fact = ctx.facts.authorizedKeys;
    if (isMissing(fact)) return ctx.skip(`authorized keys unknown: ${fact?.missing ?? 'not gathered'}`);
    let n = 0;
    for (const f of fact.files) {
      for (const k of f.keys) {
        if (!k.options) continue; // sshd ignores the key (bad options): nothing it could be granted
        const command = k.options.some((o) => o.kind === 'value' && o.name === 'command');
        if (!command && f.loginShell) continue;
        n++;
        const perms = effectivePermissions(k.options);
        // Only what sshd would really grant: the effective sshd_config for this user AND the key.
        const open = PERMISSIONS.filter((p) => perms[p] && f.serverGrants.includes(p));
        if (open.length === 0) continue;
        const add = open.map((p) => flagText(p, true)).join(',');
        const why = command ? 'has a forced command' : `belongs to ${f.user}, whose shell ${f.shell || '/bin/sh'} is not a login shell`;
        ctx.report({
          status: 'fail',
          message: `${f.user}: ${f.path}:${k.line}: key ${k.fingerprint} ${why} but still gets ${open.join(', ')}: add ${add}`,
          locations: [{ file: f.path, line: k.line }],
          remediation: [{ kind: 'manual', description: `add ${add} to ${f.user}'s key ${k.fingerprint}`, command: `sshield keys restrict --user ${f.user} --fingerprint ${k.fingerprint} --options ${add}` }],
        });
      }
    }
    ctx.pass(n === 0 ? 'no forced-command keys and no keys of non-login accounts' : `${n} forced-command or non-login key${n === 1 ? '' : 's'}, all restricted`);
  },
});
