// (f) A HostKeyAlgorithms list that no loaded host key satisfies: every client would fail with
// "no matching host key type found". Loaded keys are the predicted HostKey files (their .pub
// type); RSA keys serve ssh-rsa, rsa-sha2-256 and rsa-sha2-512 (sshkey.c). `sshd -t` does not
// catch this. Override: --allow-hostkey-mismatch.
import { algorithmsForKeyType } from './access.js';
import type { Guard } from './types.js';

export const hostkeyMismatch: Guard = {
  id: 'hostkey-mismatch',
  flag: '--allow-hostkey-mismatch',
  summary: 'no host key matches HostKeyAlgorithms',
  check(ctx) {
    const a = ctx.after();
    const algs = (a.value('hostkeyalgorithms') ?? '').split(',').filter(Boolean);
    const paths = a.get('hostkey')?.values ?? [];
    const keys = ctx.facts.hostKeys.filter((k) => paths.includes(k.path) && k.type !== undefined);
    if (algs.length === 0 || keys.length === 0) return { ok: true, message: 'host key types or HostKeyAlgorithms unknown; not judged' };
    const served = keys.filter((k) => algorithmsForKeyType(k.type!).some((x) => algs.includes(x)));
    if (served.length) return { ok: true, message: `host keys offered: ${served.map((k) => k.type).join(', ')}` };
    return { ok: false, message: `HostKeyAlgorithms ${algs.join(',')} matches none of the host keys (${keys.map((k) => `${k.type} ${k.path}`).join(', ')}): every client would fail with "no matching host key type"` };
  },
};
