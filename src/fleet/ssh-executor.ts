// The SSH executor: a remote host behind the one executor interface (src/host/executor.ts), for
// the work that must run there live (the changing commands to come: `sshd -t`, a reload, the
// copied sshield itself). `run` executes one program over the host's shared connection, its argv
// quoted word by word for the remote POSIX shell (spaces, quotes, `$`, globs and newlines arrive
// byte for byte; NUL cannot be passed), in the C locale, with the interface's timeout and output
// cap. `fs` reads the host as gathered (snapshot.ts): reads are batched by the gather rounds of
// remote-host.ts, never one ssh call per file.
import type { HostExecutor, RunResult } from '../host/executor.js';
import type { Snapshot } from './snapshot.js';
import { commandLine, type SshPool } from './ssh.js';
import type { FleetTarget } from './target.js';

export function sshExecutor(pool: SshPool, target: FleetTarget, snapshot: Snapshot): HostExecutor {
  const view = snapshot.view(new Map());
  return {
    kind: 'ssh',
    label: target.name,
    live: true,
    fs: view.fs,
    async run(cmd, args, opts = {}): Promise<RunResult> {
      let line: string;
      try {
        line = commandLine(cmd, args);
      } catch (e) {
        return { code: null, signal: null, stdout: '', stderr: '', error: (e as Error).message };
      }
      const max = opts.maxBuffer ?? 4 << 20;
      const r = await pool.exec(target, line, { timeoutMs: opts.timeoutMs ?? 10_000, maxStdout: max });
      const enc = opts.encoding ?? 'utf8';
      // ssh's own failure (exit 255 with its message) is the transport's, not the program's.
      const transport = r.code === 255 && /^(ssh|kex_exchange|Connection|Host key|Permission denied)/m.test(r.stderr) ? `ssh: ${r.stderr.trim().split('\n').pop()}` : undefined;
      const error = r.error ?? transport;
      return { code: error ? null : r.code, signal: r.signal, stdout: r.stdout.toString(enc), stderr: r.stderr.slice(0, max), ...(error ? { error } : {}) };
    },
  };
}
