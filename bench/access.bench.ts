// Benchmark: the credential model on a busy host, as the guard stage runs it for one change:
// 40 sudo admins with 10 keys each (ed25519 and RSA, some with from=/expiry-time options), a
// config with 6 Match Address blocks and an AllowUsers list, the state before and after a
// harden-like change (passwords off; the hosts loaded beforehand, as the guard stage has them)
// prepared with buildModelState (facts read twice each, from an in-memory host), then judgeKeep for every admin from 'any-admitted' (every candidate
// address). Target: under 300 ms for the whole judgment; median of 5 runs.
//
// Default export: async () => rows; run directly with `node --import tsx bench/access.bench.ts`.
import { pathToFileURL } from 'node:url';
import { memoryFs, type MemoryFsSpec } from '../src/host/memory-fs.js';
import { offlineExecutor } from '../src/host/executor.js';
import { loadHost } from '../src/host/loaded-host.js';
import { buildModelState, judgeKeep } from '../src/access/index.js';
import type { ConnectionSpec } from '../src/sshd/evaluate/types.js';
import { median, type Row } from './run.js';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcwrZKA9zBuQuKEkAOkUGlgbdTlnQuN5mopbYMG57Es';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCfHzsk5J5sgZkHThOe4qX2TOHbd7yjQlaFtq/e4nla75FxwOiNF9mewpnOhcVUFG0NgDgHpfWQS8Ox9mhDnhSxAPbnofsza62A5hxl0T+GyiGd7Zqg8wit2M0yOYnRuPdNU6oEPaJLZwwedZW8I89psLoD69kH+/kCRLGq8pg/Kk3ZC80oftTt/e33lffQiqZwZjFiHUQk/2C8bKOkHN3RgP1f5A03lO3NFK/mYLBEbVHIMBUACaQrh+NJWgoxg1S9ihuw9TRaBPpY7g1wpgwgFdRjdSE4WhEXX0AAoKqJx3eraboCMYO/Yqm89WZ2d+FbyHwl705+t/v7kJtLKdal';
const N = 40;

function host(extra: string): MemoryFsSpec {
  const users = Array.from({ length: N }, (_, i) => `adm${i}`);
  const spec: Record<string, MemoryFsSpec[string]> = {
    '/etc/passwd': ['root:x:0:0:root:/root:/bin/bash', ...users.map((u, i) => `${u}:x:${2000 + i}:${2000 + i}::/home/${u}:/bin/bash`)].join('\n') + '\n',
    '/etc/group': ['root:x:0:', `sudo:x:27:${users.join(',')}`, ...users.map((u, i) => `${u}:x:${2000 + i}:`)].join('\n') + '\n',
    '/etc/shadow': ['root:*:19000::::::', ...users.map((u) => `${u}:$y$j9T$salt$hash:19000:0:99999:7:::`)].join('\n') + '\n',
    '/etc/pam.d/sshd': '@include common-auth\naccount required pam_nologin.so\n@include common-account\n',
    '/etc/pam.d/common-auth': 'auth [success=1 default=ignore] pam_unix.so nullok\nauth requisite pam_deny.so\nauth required pam_permit.so\n',
    '/etc/pam.d/common-account': 'account [success=1 new_authtok_reqd=done default=ignore] pam_unix.so\naccount requisite pam_deny.so\naccount required pam_permit.so\n',
    '/bin/bash': { content: '', mode: 0o755 },
    '/etc/ssh/sshd_config': `UsePAM yes\nKbdInteractiveAuthentication no\nAllowUsers ${users.map((u, i) => `${u}@10.${i % 8}.0.0/16`).join(' ')} root\n${extra}` +
      Array.from({ length: 6 }, (_, i) => `Match Address 192.168.${i}.0/24\n  X11Forwarding no\n`).join(''),
  };
  users.forEach((u, i) => {
    spec[`/home/${u}`] = { kind: 'dir', mode: 0o755, uid: 2000 + i };
    spec[`/home/${u}/.ssh`] = { kind: 'dir', mode: 0o700, uid: 2000 + i };
    const lines = Array.from({ length: 10 }, (_, k) => `${k % 3 === 0 ? `from="10.${k}.0.0/16" ` : k % 5 === 0 ? 'expiry-time="20200101" ' : ''}${k % 2 ? RSA : ED} ${u}-${k}`);
    spec[`/home/${u}/.ssh/authorized_keys`] = { content: lines.join('\n') + '\n', mode: 0o600, uid: 2000 + i };
  });
  return spec;
}

async function loaded(extra: string) {
  return loadHost(offlineExecutor(memoryFs(host(extra))), { facts: 'config' });
}

async function state(h: Awaited<ReturnType<typeof loaded>>) {
  const configFor = (s: ConnectionSpec) => h.evaluate(s);
  const users = Array.from({ length: N }, (_, i) => `adm${i}`);
  return buildModelState({ exec: h.exec, accounts: h.accounts!, files: [...h.tree.files.values()], configFor, users: ['root', ...users], base: { laddr: '127.0.0.1', lport: 22 } });
}

export default async function bench(): Promise<Row[]> {
  const times: number[] = [];
  const cpu: number[] = [];
  let losses = -1;
  for (let r = 0; r < 5; r++) {
    const [hb, ha] = [await loaded(''), await loaded('PasswordAuthentication no\n')];
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const before = await state(hb);
    const after = await state(ha);
    const keep = Array.from({ length: N }, (_, i) => ({ account: `adm${i}`, addresses: 'any-admitted' as const, why: [] }));
    losses = judgeKeep(keep, before, after, { laddr: '127.0.0.1', lport: 22 }).length;
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return [{ name: `model judgment: ${N} admins x 10 keys, 6 Match Address + AllowUsers, before/after, judgeKeep (losses: ${losses}; CPU ${median(cpu).toFixed(0)} ms)`, median_ms: median(times), target_ms: 300 }];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printRows } = await import('./run.js');
  printRows('access', await bench());
}
