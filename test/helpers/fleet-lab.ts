// What the fleet CLI tests share: the built CLI run against test hosts
// (test/helpers/test-hosts.ts), a work directory beside them, and the three nodes of
// examples/pve-cluster-node renumbered onto the test hosts' addresses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from './sshd.js';
import { startTestFleet, type TestFleet, type TestHostSpec } from './test-hosts.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
/** The CLI as users start it (bin/sshield.js, which runs dist/). */
export const BIN = join(REPO, 'bin', 'sshield.js');

/** The three nodes of examples/pve-cluster-node, renumbered onto the test hosts' addresses. */
export function pveExampleNode(n: 1 | 2 | 3): TestHostSpec {
  return {
    name: `pve-node${n}`,
    example: 'pve-cluster-node',
    setup: (dir, { addressOf }) => {
      const map = (t: string) => t.replace(/10\.10\.10\.1([123])/g, (_, k: string) => addressOf(`pve-node${k}`));
      for (const f of ['etc/pve/corosync.conf', 'etc/pve/.members', 'etc/hosts', 'etc/ssh/sshd_config']) writeFileSync(join(dir, f), map(readFileSync(join(dir, f), 'latin1')), 'latin1');
      writeFileSync(join(dir, 'etc/hostname'), `pve-node${n}\n`);
    },
  };
}

/** Builds dist/ (the CLI under test), makes a work directory named `prefix`..., starts the hosts. */
export async function startFleetLab(specs: TestHostSpec[], prefix: string): Promise<{ fleet: TestFleet; work: string }> {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  const work = mkdtempSync(join(tmpdir(), prefix));
  try {
    return { fleet: await startTestFleet(specs), work };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/** Stops what startFleetLab started (either may be missing: a skipped or failed start). */
export async function stopFleetLab(fleet: TestFleet | undefined, work: string | undefined): Promise<void> {
  await fleet?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}

/** The built CLI without colour (plus `env`), with how long it took. */
export async function runSshield(args: string[], env: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = await run(process.execPath, [BIN, ...args], { env: { NO_COLOR: '1', ...env }, timeoutMs: 240_000 });
  return { ...r, ms: Date.now() - t0 };
}
