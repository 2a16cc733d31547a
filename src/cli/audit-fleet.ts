// `sshield audit --host/--inventory/--cluster`: resolves the targets, audits them over SSH
// (src/fleet/audit.ts: nothing is installed on the hosts), shows progress on stderr when it is a
// terminal, renders text, JSON, SARIF or HTML, and exits: 2 when any host could not be audited
// (its reason is in the output: never counted as clean), else 1 when any host fails --fail-on,
// else 0. The SSH masters are closed however the run ends.
import { auditFleet } from '../fleet/audit.js';
import { fleetFailing, renderFleetHtml, renderFleetJson, renderFleetSarif, renderFleetText } from '../report/fleet.js';
import type { Severity } from '../rules/types.js';
import { paletteFor } from './color.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { closeOnExit, resolveFleet } from './fleet.js';
import { progress, type Output } from './io.js';
import { shippedDocsBase } from './shipped.js';
import type { AuditCliOptions } from './audit.js';
import { policyFor, policyOption } from './audit.js';
import pkg from '../../package.json' with { type: 'json' };

function today(env: NodeJS.ProcessEnv): string {
  return env.SSHIELD_TODAY && /^\d{4}-\d{2}-\d{2}$/.test(env.SSHIELD_TODAY) ? env.SSHIELD_TODAY : new Date().toISOString().slice(0, 10);
}

export async function runFleetAudit(opts: AuditCliOptions, io: Output, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const chosen = await policyOption(opts.profile, io);
  if (typeof chosen === 'number') return chosen;
  const setup = await resolveFleet(opts);
  if (typeof setup === 'string') {
    io.err(setup.split('\n').map((l) => `sshield audit: ${l}`).join('\n'));
    return EXIT.error;
  }
  const release = closeOnExit(setup.pool);
  const bar = progress(io);
  try {
    const report = await auditFleet(setup.targets, {
      pool: setup.pool,
      policyFor: (isPve) => policyFor(chosen, opts.profile, isPve),
      version: pkg.version,
      today: today(env),
      ...(opts.admin ? { admin: opts.admin } : {}),
      ...(opts.openssh ? { openssh: opts.openssh } : {}),
      parallel: setup.parallel,
      remote: { deadlineMs: setup.deadlineMs },
      onDone: (done, total, h) => bar.update(done, total, h.name),
    });
    bar.done();
    const failOn = opts.failOn as Severity;
    const format = opts.json ? 'json' : opts.format;
    if (format === 'json') io.out(renderFleetJson(report));
    else if (format === 'sarif') {
      const docsBase = shippedDocsBase();
      io.out(renderFleetSarif(report, docsBase ? { docsBase } : {}));
    } else if (format === 'html') io.out(renderFleetHtml(report));
    else io.out(renderFleetText(report, paletteFor(io.stdoutIsTTY, env), { verbose: opts.verbose ?? false, failOn }));
    for (const h of report.hosts) if (h.status === 'error') io.err(`sshield audit: ${h.name} (${h.target}): ${h.error}`);
    const { errors, failingHosts } = fleetFailing(report, failOn);
    return errors > 0 ? EXIT.error : failingHosts > 0 ? EXIT.findings : EXIT.ok;
  } finally {
    bar.done();
    await setup.pool.close();
    release();
  }
}
