// The audit against a real Debian sshd on loopback. (1) With PasswordAuthentication no,
// KbdInteractiveAuthentication yes and UsePAM yes a throwaway user really logs in WITH A PASSWORD
// through keyboard-interactive (ssh2 client), and the audit reports sshd/no-password-auth at those
// lines. (2) The effective values the rules judged agree with `sshd -T -C` for every identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ssh2 from 'ssh2';
import { readFileSync } from 'node:fs';
import { sshdAvailable, startSshd, createTestUser, sshdT } from '../../helpers/sshd.js';
import { localFs } from '../../../src/host/local-fs.js';
import { localExecutor } from '../../../src/host/executor.js';
import { gatherAudit } from '../../../src/audit/gather.js';
import { runAudit } from '../../../src/audit/run.js';
import { PROFILES } from '../../../src/policy/profiles.js';
import { RULES } from '../../../src/rules/registry.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';

function kbdPasswordLogin(port: number, user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    let prompted = false;
    c.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => {
      prompted = true;
      finish(prompts.map(() => password));
    });
    c.on('ready', () => {
      c.exec('id -un', (err, stream) => {
        if (err) return reject(err);
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString()));
        stream.on('close', () => {
          c.end();
          resolve(prompted ? out.trim() : 'NOT-PROMPTED');
        });
      });
    });
    c.on('error', reject);
    c.connect({ host: '127.0.0.1', port, username: user, tryKeyboard: true, authHandler: ['keyboard-interactive'], readyTimeout: 10_000 });
  });
}

test('PasswordAuthentication no + KbdInteractiveAuthentication yes + UsePAM yes: a password logs in, and the audit says so', { skip }, async (t) => {
  const password = `Pw-${Math.random().toString(36).slice(2)}-x9`;
  const user = await createTestUser({ password });
  t.after(() => user.remove());
  const sshd = await startSshd({ config: 'PasswordAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM yes' });
  t.after(() => sshd.stop());
  assert.equal(await kbdPasswordLogin(sshd.port, user.name, password), user.name, 'logged in with the password via keyboard-interactive/PAM');
  await assert.rejects(kbdPasswordLogin(sshd.port, user.name, 'wrong-password'), 'a wrong password is refused (the login above was real)');

  const a = await gatherAudit(localExecutor(localFs()), { mainConfig: sshd.configPath, admin: user.name, adminAddr: '127.0.0.1' });
  const r = runAudit(a, { profile: PROFILES.baseline, source: 'builtin', waivers: [] }, { version: 't', today: '2026-11-24' });
  const pw = r.results.find((x) => x.ruleId === 'sshd/no-password-auth')!;
  assert.equal(pw.status, 'fail', pw.message);
  assert.match(pw.message, /KbdInteractiveAuthentication yes with UsePAM yes/);
  const lines = readFileSync(sshd.configPath, 'utf8').split('\n');
  const at = (kw: string) => `${sshd.configPath}:${lines.findIndex((l) => l.startsWith(kw)) + 1}`;
  assert.deepEqual(pw.locations.map((l) => `${l.file}:${l.line}`), [at('KbdInteractiveAuthentication'), at('UsePAM')]);
});

test('the effective values the audit judged agree with sshd -T -C for every identity', { skip }, async (t) => {
  const sshd = await startSshd({
    config: [
      'PermitRootLogin prohibit-password',
      'MaxAuthTries 4',
      'LoginGraceTime 1m',
      'X11Forwarding yes',
      'AcceptEnv LANG LC_*',
      'Ciphers -chacha20-poly1305@openssh.com',
      'MaxStartups 10:30:60',
      'Match Address 127.0.0.0/8',
      '  PasswordAuthentication no',
      '  AllowTcpForwarding no',
      'Match User root',
      '  PermitRootLogin no',
    ].join('\n'),
  });
  t.after(() => sshd.stop());
  const a = await gatherAudit(localExecutor(localFs()), { mainConfig: sshd.configPath, adminAddr: '127.0.0.1' });
  const keys = new Set(RULES.flatMap((r) => r.meta.keywords.map((k) => k.toLowerCase())).concat(['usepam', 'disableforwarding', 'allowstreamlocalforwarding', 'permittty']));
  let compared = 0;
  for (const s of a.input.specs) {
    const sp = s.spec;
    const T = await sshdT(sshd.configPath, `user=${sp.user},host=${sp.host},addr=${sp.addr},laddr=${sp.laddr},lport=${sp.lport}`);
    assert.equal(T.code, 0, T.stderr);
    const real = new Map<string, string[]>();
    for (const line of T.stdout.split('\n')) {
      const i = line.indexOf(' ');
      if (i < 0) continue;
      const k = line.slice(0, i);
      real.set(k, [...(real.get(k) ?? []), line.slice(i + 1)]);
    }
    for (const k of keys) {
      const want = real.get(k);
      const got = s.config.get(k);
      if (!want) continue;
      assert.ok(got, `${s.label}: evaluator has no ${k}`);
      assert.deepEqual(got.values.join(' ').split(/\s+/), want.join(' ').split(/\s+/), `${s.label}: ${k}`);
      compared++;
    }
  }
  assert.ok(compared > 50, `compared ${compared} values`);
  const r = runAudit(a, { profile: PROFILES.baseline, source: 'builtin', waivers: [] }, { version: 't', today: '2026-11-24' });
  assert.equal(r.results.find((x) => x.ruleId === 'sshd/no-root-login')?.status, 'pass', 'Match User root turns root login off for every address');
  assert.equal(r.results.find((x) => x.ruleId === 'sshd/limit-max-auth-tries')?.status, 'pass');
  assert.equal(r.results.find((x) => x.ruleId === 'sshd/no-x11-forwarding')?.status, 'fail');
});
