// Benchmark: `sshield audit` of 20 hosts over SSH (the built CLI, whole process: connect, gather,
// judge 46 rules per host, render JSON), against the floor — 20 parallel fresh `ssh HOST true`,
// the least any tool that logs in to every host pays — and against Ansible's ad-hoc `sshd -T` on
// the same hosts (Debian's ansible-core: `ansible all -m command -a 'sshd -T' -f 20`, which only
// prints the effective config and judges nothing; `-m raw`, which skips Ansible's Python module
// transfer, as a second peer). Hosts: test/helpers/test-hosts.ts, 20 real sshd in their own mount
// namespaces on 127.0.1.x, the example roots in turn, each with a private host key so that its own
// `sshd -T` runs. Every run starts cold: no SSH master survives between runs (sshield closes its
// own; Ansible gets a fresh ControlPath directory per run). Install the peer with
// scripts/peer-ansible.sh; without it the peer rows say so. With it, also the repository's Ansible
// collection: sshield_audit through ansible-playbook on the same hosts.
//
// Default export: async () => rows (bench/run.ts's Row contract); run directly with
// `node --import tsx bench/fleet.bench.ts [N]`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run } from '../test/helpers/sshd.js';
import { startTestFleet, testHostsAvailable, type TestFleet } from '../test/helpers/test-hosts.js';
import { median, printRows, type Row } from './run.js';
import { ansibleAvailable, ansibleLab } from '../test/helpers/ansible.js';
import { ensureSea } from '../test/helpers/sea.js';

const EXAMPLES = ['pve8-default', 'pve9-default', 'pve-cluster-node', 'debian12-cloud', 'hardened'];
const RUNS = 5;
const RUNS_PEER = 3;
const CLI = join(import.meta.dirname, '..', 'bin', 'sshield.js');

async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  const t0 = performance.now();
  const r = await run(cmd, args, { timeoutMs: 600_000, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  return { ms: performance.now() - t0, ...r };
}

/** 20 fresh `ssh HOST true` at once (no master: ControlMaster=no), wall time until the last exits. */
async function floor(fleet: TestFleet): Promise<{ ms: number; failed: number }> {
  const t0 = performance.now();
  const codes = await Promise.all(
    fleet.hosts.map(
      (h) =>
        new Promise<number | null>((done) => {
          const c = spawn('ssh', ['-F', fleet.sshConfig, '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', h.name, 'true'], { stdio: 'ignore' });
          c.on('close', (code) => done(code));
        }),
    ),
  );
  return { ms: performance.now() - t0, failed: codes.filter((c) => c !== 0).length };
}

/**
 * The Ansible collection (ansible/collections/.../sshield/openssh) on the same hosts: a playbook
 * with sshield_audit, which ships the single executable to each host by sha256 (the first run) and
 * then only verifies it (the timed runs), and runs the audit ON each host. Against the ad-hoc
 * `sshd -T` rows above, this is what judging costs once Ansible is the transport.
 */
async function collectionRows(fleet: TestFleet, n: number, oursMed: number): Promise<(Row | string)[]> {
  if (ansibleAvailable()) return [];
  const lab = ansibleLab(fleet.sshConfig, fleet.hosts.map((h) => h.name), { sshield_binary: await ensureSea() }, { forks: n });
  try {
    const play = '- hosts: lab\n  gather_facts: false\n  tasks:\n    - name: audit\n      sshield.openssh.sshield_audit: {}\n';
    const runOnce = async () => {
      const r = await lab.playbook(play);
      const bad = Object.entries(r.stats).filter(([, s]) => s.failures || s.unreachable).map(([h]) => h);
      if (bad.length || Object.keys(r.stats).length !== n) throw new Error(`sshield_audit via ansible-playbook: failed on ${bad.join(', ')}: ${r.stderr.slice(0, 300)}`);
      return r.ms;
    };
    const first = await runOnce();
    const times: number[] = [];
    for (let r = 0; r < RUNS_PEER; r++) times.push(await runOnce());
    return [
      { name: `the same fleet audit`, median_ms: oursMed, peer: `ansible-playbook sshield.openssh.sshield_audit, forks ${n} (executable cached)`, peer_median_ms: median(times), ratio: median(times) / oursMed },
      `sshield_audit via ansible-playbook: first run ${Math.round(first)} ms (ships the executable to ${n} hosts), then ${list(times)} ms (verified by sha256, audited on each host)`,
    ];
  } finally {
    await lab.cleanup();
  }
}

const list = (xs: readonly number[]) => `[${xs.map((x) => Math.round(x)).join(', ')}]`;

export default async function bench(n = Number(process.env.SSHIELD_BENCH_HOSTS ?? 20)): Promise<(Row | string)[]> {
  const why = testHostsAvailable();
  if (why) return [`skipped: ${why}`];
  const rows: (Row | string)[] = [];
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'sshield.cjs'))) await run('npm', ['run', '-s', 'build'], { timeoutMs: 180_000 });
  const t0 = performance.now();
  const fleet = await startTestFleet(
    Array.from({ length: n }, (_, i) => ({
      name: `h${String(i + 1).padStart(2, '0')}`,
      example: EXAMPLES[i % EXAMPLES.length]!,
      setup: (dir: string) => {
        rmSync(join(dir, 'etc/ssh/ssh_host_ed25519_key.pub'), { force: true });
        spawnSync('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', join(dir, 'etc/ssh/ssh_host_ed25519_key')]);
      },
    })),
  );
  const work = mkdtempSync(join(tmpdir(), 'sshield-bench-fleet-'));
  const onSignal = () => {
    void fleet.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    rows.push(`started ${n} test hosts (Debian 12 sshd 9.2p1, one mount namespace each, ${EXAMPLES.join('/')} roots) in ${Math.round(performance.now() - t0)} ms`);
    const inv = join(work, 'hosts.ini');
    writeFileSync(inv, `[fleet]\n${fleet.hosts.map((h) => h.name).join('\n')}\n`);

    await floor(fleet); // warm-up (page cache, key loading)
    const fl: number[] = [];
    let flFailed = 0;
    for (let r = 0; r < RUNS; r++) {
      const f = await floor(fleet);
      fl.push(f.ms);
      flFailed += f.failed;
    }
    if (flFailed) rows.push(`floor: ${flFailed} ssh calls failed`);

    const ours: number[] = [];
    let rounds = '';
    let bytes = 0;
    for (let r = 0; r < RUNS + 1; r++) {
      const res = await timed(process.execPath, [CLI, 'audit', '--inventory', inv, '--ssh-config', fleet.sshConfig, '--parallel', String(n), '--json'], { SSHIELD_TODAY: '2026-12-01' });
      const doc = JSON.parse(res.stdout) as { summary: { errors: number }; hosts: { gather: { rounds: number; bytes: number } }[] };
      if (doc.summary.errors) throw new Error(`sshield audit: ${doc.summary.errors} hosts failed: ${res.stderr.slice(0, 500)}`);
      if (r > 0) ours.push(res.ms); // the first run is a warm-up
      rounds = [...new Set(doc.hosts.map((h) => h.gather.rounds))].sort().join('/');
      bytes = doc.hosts.reduce((a, h) => a + h.gather.bytes, 0);
    }
    const oursMed = median(ours);
    rows.push({ name: `sshield audit, ${n} hosts over SSH, whole process (${RUNS} runs)`, median_ms: oursMed, peer: `floor: ${n} parallel fresh \`ssh host true\``, peer_median_ms: median(fl), ratio: median(fl) / oursMed });
    rows.push(`sshield: runs ${list(ours)} ms; ${rounds} gather round(s) per host over one connection; ${Math.round(bytes / 1024)} KiB received in all; floor runs ${list(fl)} ms`);

    const ansible = spawnSync('ansible', ['--version'], { encoding: 'utf8' });
    if (ansible.status !== 0) {
      rows.push('ansible: not installed (scripts/peer-ansible.sh installs Debian\'s ansible-core): peer rows skipped');
      return rows;
    }
    rows.push(`peer: ${ansible.stdout.split('\n')[0]} (Debian), forks ${n}, pipelining off (the default)`);
    for (const mod of ['command', 'raw'] as const) {
      const times: number[] = [];
      let failed = '';
      for (let r = 0; r < RUNS_PEER + 1; r++) {
        const cp = mkdtempSync(join(work, 'cp-'));
        const res = await timed('ansible', ['all', '-i', inv, '-m', mod, '-a', '/usr/sbin/sshd -T', '-f', String(n), '-o'], {
          ANSIBLE_SSH_ARGS: `-F ${fleet.sshConfig} -o ControlMaster=auto -o ControlPersist=60s`,
          ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
          ANSIBLE_HOST_KEY_CHECKING: 'False',
          ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
          ANSIBLE_NOCOLOR: '1',
          LC_ALL: 'C.UTF-8', // Ansible refuses any other locale encoding
          LANG: 'C.UTF-8',
          ANSIBLE_LOCAL_TEMP: join(work, 'ansible-local'),
        });
        spawnSync('sh', ['-c', `for s in '${cp}'/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done; true`]);
        const ok = (res.stdout.match(/\| (CHANGED|SUCCESS)/g) ?? []).length;
        if (ok !== n) failed = `${n - ok} hosts failed: ${res.stdout.split('\n').find((l) => /FAILED|UNREACHABLE/.test(l))?.slice(0, 200) ?? res.stderr.slice(0, 200)}`;
        if (r > 0) times.push(res.ms);
      }
      rows.push({ name: `the same fleet audit`, median_ms: oursMed, peer: `ansible all -m ${mod} -a 'sshd -T' -f ${n}`, peer_median_ms: median(times), ratio: median(times) / oursMed });
      rows.push(`ansible -m ${mod}: runs ${list(times)} ms${failed ? `; ${failed}` : ''}`);
    }
    rows.push(...(await collectionRows(fleet, n, oursMed)));
    return rows;
  } finally {
    process.off('SIGINT', onSignal);
    await fleet.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void bench(Number(process.argv[2] ?? 20)).then((rows) => printRows('fleet', rows));
}
