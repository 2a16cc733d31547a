// `sshield keys list|user list|backups|allow list --host/--inventory/--cluster`: resolves the
// targets, lists each host over SSH with the command's own listing function (src/fleet/list.ts:
// nothing is installed on the hosts), shows progress on stderr when it is a terminal, renders text
// or JSON, and exits 2 when any host could not be listed (its reason is in the output, never an
// empty listing), else 0. The SSH masters are closed however the run ends.
import type { HostExecutor } from '../host/executor.js';
import { listFleet, type ListCommand } from '../fleet/list.js';
import type { RemoteOptions } from '../fleet/remote-host.js';
import type { Versioned } from '../report/document.js';
import { renderFleetListJson, renderFleetListText } from '../report/fleet-list.js';
import type { ListView } from '../report/lists.js';
import { paletteFor } from './color.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { closeOnExit, resolveFleet, type FleetFlags } from './fleet.js';
import { progress, type Output } from './io.js';
import { VERSION } from './version.js';

export interface FleetListSpec<C extends ListCommand, B extends object> {
  readonly command: C;
  /** The command's listing of one host, on the gathered host's executor. */
  readonly list: (exec: HostExecutor) => Promise<B | string>;
  /** The command's text rows of one host's listing. */
  readonly view: (listing: Versioned<C, B>) => ListView;
  /** What round one gathers (default: what an audit reads). */
  readonly prefetch?: RemoteOptions['prefetch'];
}

export async function runFleetList<C extends ListCommand, B extends object>(io: Output, o: FleetFlags & { json?: true }, env: NodeJS.ProcessEnv, spec: FleetListSpec<C, B>): Promise<ExitCode> {
  const say = (m: string) => io.err(m.split('\n').map((l) => `sshield ${spec.command}: ${l}`).join('\n'));
  const setup = await resolveFleet(o);
  if (typeof setup === 'string') {
    say(setup);
    return EXIT.error;
  }
  const release = closeOnExit(setup.pool);
  const bar = progress(io);
  try {
    const report = await listFleet(spec.command, setup.targets, { pool: setup.pool, parallel: setup.parallel, remote: { deadlineMs: setup.deadlineMs, ...(spec.prefetch ? { prefetch: spec.prefetch } : {}) }, onDone: (done, total, h) => bar.update(done, total, h.name), version: VERSION }, spec.list);
    bar.done();
    if (o.json) {
      io.out(renderFleetListJson(report));
      for (const h of report.hosts) if (h.status === 'error') say(`${h.name} (${h.target}): ${h.error}`);
    } else {
      const text = renderFleetListText(report, spec.view, paletteFor(io.stdoutIsTTY, env));
      io.out(text.out);
      for (const l of text.err) say(l);
    }
    return report.summary.errors > 0 ? EXIT.error : EXIT.ok;
  } finally {
    bar.done();
    await setup.pool.close();
    release();
  }
}
