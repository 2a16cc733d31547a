// host/require-safe-config-permissions: sshd_config and drop-ins owned by root and not writable
// by others (CIS 5.1.1: 0600 recommended), private host keys 0600 root (sshd refuses group/other
// readable keys: sshkey_perm_ok in authfile.c), /etc/ssh not writable by others.
import { defineRule } from '../define-rule.js';
import { cis, devsec } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'host/require-safe-config-permissions',
    title: 'sshd configuration and host keys have safe owners and modes',
    severity: 'high',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: [],
    references: [...cis('5.1.1'), ...cis('5.1.2'), devsec('sshd-04'), devsec('sshd-05')],
    remediable: 'auto',
    docs: {
      what: 'Checks owner and mode of sshd_config, every included file, the directories holding them and the private host keys: owned by root, not writable by group or others; private keys also not readable by group or others.',
      why: 'Whoever can write sshd_config or a drop-in controls who may log in as root; a readable private host key lets anyone impersonate the server.',
      fix: '`chown root:root /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf; chmod 600 /etc/ssh/sshd_config /etc/ssh/ssh_host_*_key; chmod go-w /etc/ssh /etc/ssh/sshd_config.d`.',
      whenNot: 'Never: there is no configuration in which this finding is harmless.',
    },
  },
  check(ctx) {
    if (isMissing(ctx.facts.fileModes)) return ctx.skip(`file modes unknown: ${ctx.facts.fileModes?.missing ?? 'not gathered'}`);
    // No configuration file or host key was found: nothing was judged, so nothing passes.
    if (ctx.facts.fileModes.length === 0) return ctx.skip('no sshd configuration file or host key found to check');
    const keys = new Set(ctx.specs[0]?.config.get('hostkey')?.values ?? []);
    for (const f of ctx.facts.fileModes) {
      const problems: string[] = [];
      if (f.uid !== 0) problems.push(`owned by uid ${f.uid}`);
      if ((f.mode & 0o022) !== 0) problems.push(`writable by ${f.mode & 0o020 ? 'group' : ''}${(f.mode & 0o022) === 0o022 ? ' and ' : ''}${f.mode & 0o002 ? 'others' : ''}`);
      if (keys.has(f.path) && (f.mode & 0o077) !== 0) problems.push('private key readable by group/others (sshd refuses it)');
      if (problems.length === 0) continue;
      const mode = (f.mode & 0o7777).toString(8).padStart(4, '0');
      ctx.report({
        status: 'fail',
        message: `${f.path} (mode ${mode}): ${problems.join(', ')}`,
        locations: [{ file: f.path, line: 0 }],
        remediation: [{ kind: 'manual', description: `fix owner and mode of ${f.path}`, command: `chown root:root ${f.path} && chmod ${keys.has(f.path) ? '600' : 'go-w'} ${f.path}` }],
      });
    }
  },
});
