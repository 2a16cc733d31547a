// The 'install-packages' step (src/apply/package-step.ts) in the one writer, on the in-memory
// host with a scripted dpkg/apt (versions as dpkg-query reports them, .debs that apt downloads
// into the keep directory, dpkg -i of a kept .deb) and a scripted sshd whose `-t` rejects the
// config when a "broken" candidate is installed. Proves: the happy path; a candidate whose
// `sshd -t` fails is rolled back to the kept packages and the daemon is never reloaded onto it;
// a failed verify reinstalls the kept packages BEFORE the rollback's reload; a simulated SIGKILL
// and an I/O failure at every operation end, after the next run's recovery, with every package
// at its old version or every package at its new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan, recover } from '../../../src/apply/pipeline.js';
import { listBackups } from '../../../src/apply/backup.js';
import { SimulatedCrash, faultAt, type FakeHost, type LoggedOp } from '../../../src/apply/fake-host.js';
import { planUpgrade } from '../../../src/upgrade/plan.js';
import type { Plan } from '../../../src/apply/plan.js';
import { fakeHost, OPTS } from './fixtures.js';

const OLD = '1:9.2p1-2+deb12u2';
const NEW = '1:9.2p1-2+deb12u10';
const BROKEN = '1:9.2p1-2+deb12u11';
const PKGS = ['openssh-server', 'openssh-client'] as const;
const KEEP = '/var/backups/sshield/packages';

/** A Debian-like host: dpkg's database, apt that downloads into -o Dir::Cache::archives, sshd -t by installed version. */
const POLICY = '/usr/sbin/policy-rc.d';

function host(): FakeHost & { versions: Record<string, string>; policyAtUpgrade?: string } {
  const h = fakeHost() as FakeHost & { versions: Record<string, string>; policyAtUpgrade?: string };
  h.versions = Object.fromEntries(PKGS.map((p) => [p, OLD]));
  const sshdOf = h.onRun;
  const debOf = (p: string, v: string) => `${p}_${v.replace(/:/g, '%3a')}_amd64.deb`;
  h.onRun = (cmd, args, hh) => {
    if (cmd !== 'env') return sshdOf(cmd, args, hh);
    const argv = args.slice(args.findIndex((a) => !a.includes('=')));
    const [prog, ...rest] = argv;
    const pinned = rest.filter((a) => /^[a-z][a-z0-9.+-]*=/.test(a)).map((a) => a.split('=') as [string, string]);
    if (prog === 'dpkg-query') {
      const names = rest.filter((a) => PKGS.includes(a as (typeof PKGS)[number]));
      return { code: 0, stdout: names.map((p) => `${p} install ok installed ${h.versions[p]}\n`).join(''), stderr: '' };
    }
    if (prog === 'apt-get' && rest.includes('--download-only')) {
      const dir = rest[rest.indexOf('-o') + 1]!.replace('Dir::Cache::archives=', '');
      for (const [p, v] of pinned) hh.put(`${dir}/${debOf(p, v)}`, `deb ${p} ${v}`, { mode: 0o644 });
      return { code: 0, stdout: '', stderr: '' };
    }
    if (prog === 'apt-get' && rest.includes('--only-upgrade')) {
      h.policyAtUpgrade = hh.text(POLICY);
      for (const [p, v] of pinned) h.versions[p] = v;
      return { code: 0, stdout: '', stderr: '' };
    }
    if (prog === 'dpkg' && rest[0] === '-i') {
      for (const f of rest.filter((a) => a.endsWith('.deb'))) {
        const body = hh.text(f);
        if (!body) return { code: 1, stdout: '', stderr: `dpkg: error: cannot access archive '${f}'` };
        const [, p, v] = body.split(' ') as [string, string, string];
        h.versions[p] = v;
      }
      return { code: 0, stdout: '', stderr: '' };
    }
    if (prog === '/usr/sbin/sshd' && rest[0] === '-t') {
      return h.versions['openssh-server'] === BROKEN ? { code: 255, stdout: '', stderr: '/etc/ssh/sshd_config line 3: Unsupported option UsePrivilegeSeparation' } : { code: 0, stdout: '', stderr: '' };
    }
    return undefined;
  };
  return h;
}

function plan(to = NEW): Plan {
  const up = planUpgrade({
    installed: Object.fromEntries(PKGS.map((p) => [p, OLD])),
    candidates: Object.fromEntries(PKGS.map((p) => [p, to])),
    distro: { id: 'debian', versionId: '12' },
    configPath: '/etc/ssh/sshd_config',
    sshd: '/usr/sbin/sshd',
    keepDir: KEEP,
    reload: { kind: 'pidfile', pidFile: '/run/sshd.pid' },
    verify: { address: '127.0.0.1', port: 22, user: 'sshield-verify', methods: ['publickey'] },
  });
  assert.ok(up.plan, 'an upgrade plan');
  return up.plan;
}

const versions = (h: { versions: Record<string, string> }) => PKGS.map((p) => h.versions[p]).join(' ');
const ALL_OLD = PKGS.map(() => OLD).join(' ');
const ALL_NEW = PKGS.map(() => NEW).join(' ');
const idx = (log: readonly string[], re: RegExp, from = 0) => log.findIndex((l, i) => i >= from && re.test(l));

test('upgrade through the writer: keep the installed .debs, apt-get --only-upgrade, sshd -t, reload, verify', async () => {
  const h = host();
  const out = await applyPlan(h, plan(), OPTS);
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.equal(versions(h), ALL_NEW);
  for (const p of PKGS) assert.ok(h.files.has(`${KEEP}/${p}_${OLD.replace(':', '%3a')}_amd64.deb`), `${p} kept`);
  const keep = idx(h.log, /--download-only/);
  const up = idx(h.log, /--only-upgrade/);
  const t = idx(h.log, /sshd -t -f/);
  const hup = idx(h.log, /^signal SIGHUP 777/);
  assert.ok(keep >= 0 && keep < up && up < t && t < hup && hup < idx(h.log, /^probe/), h.log.join('\n'));
  assert.equal((await listBackups(h, OPTS.backupRoot))[0]!.journal!.phase, 'committed');
  // No service was (re)started by the maintainer scripts while apt ran; the pipeline reloaded it after sshd -t.
  assert.match(h.policyAtUpgrade ?? '', /^#!\/bin\/sh\n# sshield upgrade: no service starts[^\n]*\nexit 101\n$/);
  assert.equal(h.files.get(POLICY), undefined, 'our policy-rc.d is gone after apt');
});

test("an admin's own policy-rc.d is used as it is and left alone", async () => {
  const h = host();
  h.put(POLICY, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  assert.equal((await applyPlan(h, plan(), OPTS)).status, 'applied');
  assert.equal(h.policyAtUpgrade, '#!/bin/sh\nexit 0\n');
  assert.equal(h.text(POLICY), '#!/bin/sh\nexit 0\n');
});

test("a candidate whose sshd -t fails: the kept packages go back, the daemon is never reloaded onto it, the failure is clear", async () => {
  const h = host();
  const out = await applyPlan(h, plan(BROKEN), OPTS);
  assert.equal(out.status, 'failed', JSON.stringify(out));
  if (out.status !== 'failed') return;
  assert.equal(out.step, 'host-step');
  assert.equal(out.rolledBack, true);
  assert.match(out.reason, /the new sshd rejects \/etc\/ssh\/sshd_config: .*UsePrivilegeSeparation/);
  assert.equal(versions(h), ALL_OLD, 'the kept packages are installed again');
  const up = idx(h.log, /--only-upgrade/);
  const back = idx(h.log, /dpkg -i --force-confold --force-downgrade/);
  assert.ok(up >= 0 && back > up, h.log.join('\n'));
  assert.ok(h.log.slice(up, back).every((l) => !/^signal SIGHUP|systemctl (reload|restart)/.test(l)), 'never reloaded while the broken candidate was installed');
  assert.ok(idx(h.log, /^signal SIGHUP 777/, back) > back, 'restarted once the old packages are back');
  const [b] = await listBackups(h, OPTS.backupRoot);
  assert.equal(b!.journal!.phase, 'rolled-back');
  assert.deepEqual(b!.journal!.steps, ['undone']);
});

test('verify fails after the upgrade: the old packages are reinstalled before the rollback reloads the daemon', async () => {
  const h = host();
  h.onProbe = () => (h.versions['openssh-server'] === NEW ? { ok: false, error: 'Connection reset by peer' } : { ok: true, ident: 'SSH-2.0-OpenSSH_9.2p1', methods: ['publickey'] });
  const out = await applyPlan(h, plan(), OPTS);
  assert.equal(out.status, 'failed', JSON.stringify(out));
  assert.equal(out.status === 'failed' && out.step, 'verify');
  assert.equal(out.status === 'failed' && out.rolledBack, true, JSON.stringify(out));
  assert.equal(versions(h), ALL_OLD);
  const failedProbe = idx(h.log, /^probe/);
  const back = idx(h.log, /dpkg -i/, failedProbe);
  const reloads = h.log.map((l, i) => (/^signal SIGHUP 777/.test(l) && i > failedProbe ? i : -1)).filter((i) => i >= 0);
  assert.ok(back > failedProbe && reloads.length > 0 && reloads.every((i) => i > back), `every reload of the rollback comes after the reinstall:\n${h.log.slice(failedProbe).join('\n')}`);
});

/** Every operation of a clean run, as (op, subject, occurrence). */
async function operations(): Promise<LoggedOp[]> {
  const h = host();
  const start = h.log.length;
  assert.equal((await applyPlan(h, plan(), OPTS)).status, 'applied');
  return h.operationsSince(start);
}


test('SIGKILL at every operation of an upgrade: after the next run\'s recovery every package is old, or every package is new and committed', async () => {
  const ops = await operations();
  assert.ok(ops.some((o) => /--only-upgrade/.test(o.subject)) && ops.length > 15, `${ops.length} operations`);
  const lastJournal = ops.findLastIndex((o) => o.op === 'replaceFile' && o.subject.endsWith('/journal.json'));
  for (const [i, o] of ops.entries()) {
    const h = host();
    h.faults = [faultAt(o, 'crash')];
    await applyPlan(h, plan(), OPTS).then(
      () => undefined,
      (e: unknown) => assert.ok(e instanceof SimulatedCrash, `#${i} ${o.op}: ${String(e)}`),
    );
    h.revive();
    await recover(h, OPTS);
    const v = versions(h);
    assert.ok(v === ALL_OLD || v === ALL_NEW, `#${i} ${o.op} ${o.subject}: mixed versions ${v}`);
    assert.equal(h.files.get(POLICY), undefined, `#${i} ${o.op} ${o.subject}: the policy-rc.d of the killed run is gone`);
    if (v === ALL_NEW) assert.ok(i >= lastJournal, `#${i} ${o.op} ${o.subject}: kept an upgrade that was never committed`);
    for (const b of await listBackups(h, OPTS.backupRoot)) assert.ok(['committed', 'rolled-back'].includes(b.journal?.phase ?? ''), `#${i}: journal ${b.journal?.phase}`);
    await recover(h, OPTS);
    assert.equal(versions(h), v, `#${i}: a second recovery changed something`);
    if (v === ALL_OLD) {
      const again = await applyPlan(h, plan(), OPTS);
      assert.equal(again.status, 'applied', `#${i} ${o.op}: ${JSON.stringify(again)}`);
      assert.equal(versions(h), ALL_NEW);
    }
  }
});

test('an I/O failure at every operation of an upgrade: all old (rolled back) or all new', async () => {
  const ops = await operations();
  for (const [i, o] of ops.entries()) {
    const h = host();
    h.faults = [faultAt(o, 'fail')];
    const out = await applyPlan(h, plan(), OPTS).catch((e: unknown) => ({ status: 'threw', reason: String(e) }) as const);
    if (out.status === 'failed' && out.rolledBack) assert.equal(h.files.get(POLICY), undefined, `#${i} ${o.op} ${o.subject}: policy-rc.d left`);
    if (out.status === 'applied') assert.equal(versions(h), ALL_NEW, `#${i}`);
    else {
      if (out.status !== 'failed' || !out.rolledBack) {
        h.revive();
        await recover(h, OPTS);
      }
      assert.equal(versions(h), ALL_OLD, `#${i} ${o.op} ${o.subject}: ${JSON.stringify(out)}`);
    }
  }
});

test('restore of an upgrade names the versions to reinstall and the exact command, in the plan note (text) and the JSON details', async () => {
  const { planRestore, restoreDetails } = await import('../../../src/apply/restore.js');
  const { renderChangeJson } = await import('../../../src/report/outcome-json.js');
  const { renderPlanText } = await import('../../../src/report/outcome-text.js');
  const { assertMatchesSchema } = await import('../../helpers/json-schema.js');
  const h = host();
  assert.equal((await applyPlan(h, plan(), OPTS)).status, 'applied');
  const [b] = await listBackups(h, OPTS.backupRoot);
  const debs = PKGS.map((p) => `${KEEP}/${p}_${OLD.replace(':', '%3a')}_amd64.deb`);
  const command = `apt-get install --allow-downgrades -o Dpkg::Options::=--force-confold ${debs.join(' ')} && kill -HUP "$(cat /run/sshd.pid)"`;
  const r = await planRestore(h, h.fs, b!);
  assert.deepEqual(r.steps ?? [], [], 'restore does not downgrade by itself');
  assert.deepEqual(r.notes, [`restore does not downgrade packages: to go back to openssh-server ${OLD}, openssh-client ${OLD} from the .debs kept in ${KEEP}, run as root: ${command}`]);
  const text = renderPlanText(r, { bold: (x: string) => x, green: (x: string) => x, red: (x: string) => x, yellow: (x: string) => x, dim: (x: string) => x } as never);
  assert.ok(text.includes(command), text);
  const details = await restoreDetails(h, b!);
  assert.deepEqual(details, { restores: b!.id, packages: [{ versions: { 'openssh-server': OLD, 'openssh-client': OLD }, fromKeptDebs: true, command }] });
  const doc = JSON.parse(renderChangeJson({ command: 'restore', outcome: { kind: 'nothing-to-do' }, plan: r, details, messages: [] })) as { plan: { notes: string[]; details: typeof details } };
  assertMatchesSchema('restore', doc);
  assert.equal(doc.plan.details.packages![0]!.command, command);
  assert.ok(doc.plan.notes[0]!.endsWith(command));

  // The kept .debs gone: the old versions by name, from the archive.
  for (const d of debs) h.files.delete(d);
  const gone = await restoreDetails(h, b!);
  assert.equal(gone.packages![0]!.fromKeptDebs, false);
  assert.equal(gone.packages![0]!.command, `apt-get install --allow-downgrades -o Dpkg::Options::=--force-confold openssh-server=${OLD} openssh-client=${OLD} && kill -HUP "$(cat /run/sshd.pid)"`);
  // Already back at the old versions: nothing to say.
  h.versions['openssh-server'] = OLD;
  h.versions['openssh-client'] = OLD;
  assert.deepEqual((await planRestore(h, h.fs, b!)).notes, []);
  assert.deepEqual(await restoreDetails(h, b!), { restores: b!.id });
});
