// Built-in profiles, versioned data. Membership comes from each rule's `meta.profile` (the single
// source): baseline = rules marked baseline; proxmox = baseline + PVE awareness (cluster
// exceptions, LC_* for the VM console), the default on PVE hosts; strict = every rule, with
// tightened options (algorithm hardening and the extras). A published version never changes.
import type { OptionValues } from '../rules/types.js';
import { RULES } from '../rules/registry.js';

export type RuleSetting = { readonly enabled: boolean; readonly options?: OptionValues };

export interface Profile {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly pveAware: boolean;
  readonly rules: Readonly<Record<string, RuleSetting>>;
}

export const BUILTIN_PROFILE_NAMES = ['baseline', 'proxmox', 'strict'] as const;

const STRICT_OPTIONS: Record<string, OptionValues> = {
  'sshd/no-weak-kex': { forbid: ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group14-sha256', 'diffie-hellman-group-exchange-sha1', 'ecdh-sha2-nistp*', 'gss-*-sha1-*'] },
  'sshd/no-weak-macs': { forbid: ['hmac-md5*', 'hmac-ripemd160*', 'hmac-sha1*', 'umac-32*', 'umac-64*', 'hmac-sha2-256', 'hmac-sha2-512', 'umac-128@openssh.com'] },
  'sshd/no-weak-hostkey-algorithms': { forbid: ['ssh-dss*', 'ssh-rsa', 'ssh-rsa-cert-v01@openssh.com', 'ecdsa-sha2-*', 'sk-ecdsa-sha2-*'] },
  'host/require-strong-host-keys': { minRsaBits: 3072, allowEcdsa: false },
  'sshd/require-log-level': { levels: ['VERBOSE'] },
  'sshd/limit-max-sessions': { max: 4 },
  'sshd/limit-max-auth-tries': { min: 3, max: 4 },
};

const PROXMOX_OPTIONS: Record<string, OptionValues> = {
  'sshd/no-accept-env': { allow: ['LANG', 'LC_*'] },
};

function build(name: string, description: string, include: (level: 'baseline' | 'strict') => boolean, options: Record<string, OptionValues>, pveAware: boolean): Profile {
  const rules: Record<string, RuleSetting> = {};
  for (const r of RULES) {
    const enabled = include(r.meta.profile);
    const o = options[r.meta.id];
    rules[r.meta.id] = o ? { enabled, options: o } : { enabled };
  }
  return { name, version: 1, description, pveAware, rules };
}

export const PROFILES: Readonly<Record<(typeof BUILTIN_PROFILE_NAMES)[number], Profile>> = {
  baseline: build('baseline', 'the guide\'s checklist (Proxmox New Install - SSH) on the effective configuration', (l) => l === 'baseline', {}, false),
  proxmox: build('proxmox', 'baseline, judged the way a Proxmox VE cluster node needs (root from peers with keys, forwarding and LC_* for migration and consoles)', (l) => l === 'baseline', PROXMOX_OPTIONS, true),
  strict: build('strict', 'baseline plus algorithm hardening, moduli, keep-alives and tighter limits', () => true, { ...STRICT_OPTIONS }, true),
};

export function isBuiltinProfile(name: string): name is (typeof BUILTIN_PROFILE_NAMES)[number] {
  return (BUILTIN_PROFILE_NAMES as readonly string[]).includes(name);
}
