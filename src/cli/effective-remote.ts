// `sshield effective --host X` (or one host of --inventory/--cluster): the effective configuration
// of a remote host, printed exactly as for this machine. The builtin engine judges the host's
// files gathered over SSH (src/fleet/remote-host.ts: nothing installed there); `--engine sshd`
// runs the host's own `sshd -T` over the same connection. One host: many hosts are `audit`'s job.
import { loadHost } from '../host/loaded-host.js';
import { judgeRemote } from '../fleet/remote-host.js';
import { commandLine } from '../fleet/ssh.js';
import { BUILD_IDS, getBuild } from '../sshd/builds/index.js';
import { EXIT } from './exit-codes.js';
import { closeOnExit, resolveFleet } from './fleet.js';
import { parseSpec, printEffective, printSshdT, type EffectiveOptions } from './effective.js';

const fail = (m: string, code: number = EXIT.error): number => (process.stderr.write(`sshield effective: ${m}\n`), code);

export async function runEffectiveRemote(o: EffectiveOptions): Promise<number> {
  if (o.root || o.file !== '/etc/ssh/sshd_config') return fail('--root/-f name files on this machine; --host/--inventory/--cluster a remote host: choose one');
  if (o.openssh && !getBuild(o.openssh)) return fail(`unknown --openssh build ${o.openssh} (known: ${BUILD_IDS.join(', ')})`);
  if (o.spec !== undefined) {
    const s = parseSpec(o.spec);
    if (typeof s === 'string') return fail(s);
  }
  const setup = await resolveFleet(o);
  if (typeof setup === 'string') return fail(setup);
  const release = closeOnExit(setup.pool);
  try {
    if (setup.targets.length !== 1) return fail(`prints one host's configuration; ${setup.targets.length} hosts named (\`sshield audit\` judges many)`);
    const t = setup.targets[0]!;
    if (o.engine === 'sshd') {
      const r = await setup.pool.exec(t, commandLine('/usr/sbin/sshd', ['-T', '-f', '/etc/ssh/sshd_config', ...(o.spec ? ['-C', o.spec] : [])]), { timeoutMs: setup.deadlineMs, maxStdout: 64 << 20 });
      if (r.error || r.code === 255) return fail(`${t.name}: ${r.error ?? r.stderr.trim().split('\n').pop() ?? 'ssh failed'}`);
      if (r.code !== 0) return (process.stderr.write(r.stderr), EXIT.findings);
      printSshdT(r.stdout.toString('latin1'), o.spec, o.json);
      return EXIT.ok;
    }
    // The spec's words are checked against the host's build (invalid-user: 10.0+), as its sshd would.
    const r = await judgeRemote(setup.pool, t, async (exec) => {
      const host = await loadHost(exec, { ...(o.openssh ? { openssh: o.openssh } : {}), facts: 'config' });
      const s = o.spec === undefined ? undefined : parseSpec(o.spec, host.build.profile.version);
      return typeof s === 'string' ? s : host.evaluate(s);
    }, { deadlineMs: setup.deadlineMs });
    if (!r.ok) return fail(`${t.name}: ${r.error}`);
    for (const n of r.notes) process.stderr.write(`sshield effective: ${t.name}: note: ${n}\n`);
    if (typeof r.value === 'string') return fail(r.value);
    return printEffective(r.value, o.json);
  } finally {
    await setup.pool.close();
    release();
  }
}
