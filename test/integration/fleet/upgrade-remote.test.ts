// `sshield upgrade --dry-run --host` against real test hosts (test/helpers/test-hosts.ts), with the
// real single executable copied over real ssh: the plan is made ON each host, from that host's own
// dpkg status and apt lists, not this machine's. Two hosts with an openssh older than this
// machine's (1:9.2p1-2+deb12u2 and u5; this machine has another) and an apt list (a file:
// repository that holds no .deb) offering 1:9.2p1-2+deb12u99: each answers with its own plan, from
// its own version to u99. A test host shares this machine's /usr, so a real upgrade there would
// change this machine: only --dry-run runs here, and the test proves nothing was installed (this
// machine's dpkg status, sshd and the hosts' dpkg status byte-identical, no backup made). Each
// host's /var/cache/apt is its own (binds), so apt's caches of the hosts never replace this
// machine's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testHostsAvailable, type TestFleet, type TestHostSpec } from '../../helpers/test-hosts.js';
import { ensureSea } from '../../helpers/sea.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { runSshield, startFleetLab, stopFleetLab } from '../../helpers/fleet-lab.js';

const skip = testHostsAvailable() ?? (process.arch !== 'x64' ? 'the single executable is built for x64 only' : undefined);

const OLD = { old: '1:9.2p1-2+deb12u2', older: '1:9.2p1-2+deb12u5' } as const;
const CANDIDATE = '1:9.2p1-2+deb12u99';
const PACKAGES = ['openssh-client', 'openssh-server', 'openssh-sftp-server'];

let fleet: TestFleet;
let work = '';
let sea = '';
const caches: Record<string, string> = {};

/** debian12-cloud with openssh at `version` and an apt list offering CANDIDATE from a file: repository without any .deb. */
function host(name: keyof typeof OLD): TestHostSpec {
  return {
    name,
    example: 'debian12-cloud',
    binds: { '/var/cache/apt': caches[name]! },
    setup: (dir) => {
      const status = join(dir, 'var/lib/dpkg/status');
      const text = readFileSync(status, 'latin1');
      assert.ok(text.includes('Version: 1:9.2p1-2+deb12u2\n'), 'the example has openssh 1:9.2p1-2+deb12u2');
      writeFileSync(status, text.replaceAll('Version: 1:9.2p1-2+deb12u2\n', `Version: ${OLD[name]}\n`), 'latin1');
      mkdirSync(join(dir, 'etc/apt'), { recursive: true });
      writeFileSync(join(dir, 'etc/apt/sources.list'), 'deb [trusted=yes] file:/srv/repo ./\n');
      mkdirSync(join(dir, 'srv/repo'), { recursive: true });
      mkdirSync(join(dir, 'var/lib/apt/lists'), { recursive: true });
      // Test hosts answer apt-cache with /bin/false unless their directory has one (test-hosts.ts
      // PROBED): this host's is the real one, reading the host's own sources and lists.
      mkdirSync(join(dir, 'usr/bin'), { recursive: true });
      copyFileSync('/usr/bin/apt-cache', join(dir, 'usr/bin/apt-cache'));
      chmodSync(join(dir, 'usr/bin/apt-cache'), 0o755);
      const sha = createHash('sha256').update('none').digest('hex');
      const stanzas = PACKAGES.map((p) => `Package: ${p}\nVersion: ${CANDIDATE}\nArchitecture: amd64\nSource: openssh\nFilename: ./${p}_9.2p1-2+deb12u99_amd64.deb\nSize: 1000\nSHA256: ${sha}\nDescription: test\n`);
      writeFileSync(join(dir, 'var/lib/apt/lists/_srv_repo_._Packages'), `${stanzas.join('\n')}\n`);
    },
  };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** This machine's openssh as dpkg and apt know it, and its sshd (apt's caches by name, size and mtime). */
const machine = () => ({
  status: sha256('/var/lib/dpkg/status'),
  sshd: sha256('/usr/sbin/sshd'),
  aptCache: readdirSync('/var/cache/apt').filter((n) => n.endsWith('.bin')).map((n) => {
    const st = statSync(join('/var/cache/apt', n));
    return `${n} ${st.size} ${st.mtimeMs}`;
  }),
});

let cacheRoot = '';

before(async () => {
  if (skip) return;
  sea = await ensureSea();
  cacheRoot = mkdtempSync(join(tmpdir(), 'sshield-upgrade-apt-cache-'));
  for (const n of Object.keys(OLD)) mkdirSync((caches[n] = join(cacheRoot, n)));
  ({ fleet, work } = await startFleetLab([host('old'), host('older')], 'sshield-upgrade-remote-'));
});
after(async () => {
  await stopFleetLab(fleet, work);
  if (cacheRoot) rmSync(cacheRoot, { recursive: true, force: true });
});

interface Envelope {
  outcome: { kind: string };
  plan?: { steps?: { kind: string; packages?: Record<string, string> }[]; details?: { from?: string; to?: string; packages?: Record<string, string>; notes?: string[] } };
}

test('upgrade --dry-run --host: each host plans from its own dpkg status and apt lists; nothing installed anywhere', { skip, timeout: 300_000 }, async () => {
  const before = machine();
  const hostStatus = () => Object.keys(OLD).map((n) => sha256(join(fleet.hosts.find((h) => h.name === n)!.dir, 'var/lib/dpkg/status')));
  const hostsBefore = hostStatus();
  const r = await runSshield(['upgrade', '--dry-run', '--host', 'old', '--host', 'older', '--ssh-config', fleet.sshConfig, '--remote-binary', sea, '--json']);
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
  assertMatchesSchema('change-fleet', r.stdout);
  const doc = JSON.parse(r.stdout) as { command: string; mode: string; hosts: { name: string; status: string; envelope: Envelope }[] };
  assert.equal(doc.command, 'upgrade');
  assert.equal(doc.mode, 'dry-run');
  for (const name of Object.keys(OLD) as (keyof typeof OLD)[]) {
    const h = doc.hosts.find((x) => x.name === name)!;
    assert.equal(h.status, 'planned', `${name}: ${JSON.stringify(h)}`);
    assert.equal(h.envelope.outcome.kind, 'dry-run', name);
    // The host's own versions (this machine has neither), to the candidate of the host's own lists.
    assert.equal(h.envelope.plan?.details?.from, OLD[name], name);
    assert.equal(h.envelope.plan?.details?.to, CANDIDATE, name);
    const step = h.envelope.plan?.steps?.[0];
    assert.equal(step?.kind, 'install-packages', name);
    assert.deepEqual(Object.keys(step!.packages ?? {}).sort(), PACKAGES, name);
    assert.ok(Object.values(step!.packages!).every((v) => v === CANDIDATE), JSON.stringify(step));
    // apt on the host could not fetch the candidate (the repository has no .deb): a note, not an error.
    assert.ok(h.envelope.plan?.details?.notes?.some((n) => /the candidate's changelog could not be fetched/.test(n)), JSON.stringify(h.envelope.plan?.details?.notes));
    // apt ran on the host, with the host's own cache directory.
    assert.ok(readdirSync(caches[name]!).some((n) => n.endsWith('.bin')), `${name}: apt's cache in the host's own /var/cache/apt`);
    // No backup, no journal: a dry run makes none.
    const backups = join(fleet.hosts.find((x) => x.name === name)!.dir, 'var/backups/sshield');
    assert.deepEqual(existsSync(backups) ? readdirSync(backups) : [], [], name);
  }
  assert.notEqual(OLD.old, localOpensshVersion());
  assert.notEqual(OLD.older, localOpensshVersion());
  assert.deepEqual(machine(), before, "this machine's dpkg status, apt caches and sshd are untouched");
  assert.deepEqual(hostStatus(), hostsBefore, "the hosts' dpkg status is untouched");
});

function localOpensshVersion(): string | undefined {
  const status = readFileSync('/var/lib/dpkg/status', 'latin1');
  return /^Package: openssh-server\n(?:[^\n]+\n)*?Version: (\S+)/m.exec(status)?.[1];
}
