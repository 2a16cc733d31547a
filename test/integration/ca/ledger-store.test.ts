// The CA store's promises, on this machine's executor with faults injected at the one write that
// matters: when writing the ledger fails after ssh-keygen signed, no certificate is handed out,
// the ledger is byte-identical and the next signature gets the same serial (none is lost or
// given twice); a ledger rewound by hand (nextSerial not above the highest serial) or damaged is
// refused before anything is signed; a lock left by a dead process is taken over, one held by a
// live process makes the signer wait for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMachine } from '../../../src/apply/open-host.js';
import type { ApplyHost } from '../../../src/apply/host.js';
import { initCa, openCa } from '../../../src/ca/store.js';
import { signCertificate, type SignRequest } from '../../../src/ca/sign.js';
import { run } from '../../helpers/sshd.js';

let dir = '';
let pub = '';
const owner = { uid: process.getuid!(), gid: process.getgid!() };
const NOW = Math.floor(Date.now() / 1000);
const req = (): SignRequest => ({ kind: 'user', publicKey: pub, principals: ['x'], validity: { from: NOW, to: NOW + 300 }, options: [], allowLongValidity: false, signedBy: 'test', now: NOW, owner });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sshield-ca-store-'));
  assert.equal((await run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', join(dir, 'k')])).code, 0);
  pub = readFileSync(join(dir, 'k.pub'), 'utf8');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a failed ledger write hands out no certificate and loses no serial; damaged or rewound ledgers are refused', { timeout: 120_000 }, async () => {
  const host = await openMachine();
  const caDir = join(dir, 'ca');
  const made = await initCa(host, { dir: caDir, type: 'ed25519', now: new Date().toISOString(), owner, label: 'test' });
  assert.ok(made.ok, (made as { message?: string }).message);
  const ledgerPath = join(caDir, 'ledger.json');
  const one = await signCertificate(host, made.value, req());
  assert.ok(one.ok);
  assert.equal(one.value.entry.serial, 1);
  const saved = readFileSync(ledgerPath);

  const failing: ApplyHost = { ...host, replaceFile: async (p, b, o) => (p.endsWith('/ledger.json') ? Promise.reject(new Error('EIO: disk gone')) : host.replaceFile(p, b, o)) };
  await assert.rejects(signCertificate(failing, (await openCa(host, caDir, owner.uid) as { value: Parameters<typeof signCertificate>[1] }).value, req()), /EIO/);
  assert.deepEqual(readFileSync(ledgerPath), saved, 'the ledger is byte-identical');
  const two = await signCertificate(host, (await openCa(host, caDir, owner.uid) as { value: Parameters<typeof signCertificate>[1] }).value, req());
  assert.ok(two.ok);
  assert.equal(two.value.entry.serial, 2, 'the serial of the failed run is issued once, now');

  const ledger = JSON.parse(readFileSync(ledgerPath, 'utf8')) as { nextSerial: number };
  writeFileSync(ledgerPath, JSON.stringify({ ...ledger, nextSerial: 2 }));
  const rewound = await openCa(host, caDir, owner.uid);
  assert.equal(rewound.ok, false);
  assert.match((rewound as { message: string }).message, /nextSerial 2 is not above the highest serial issued \(2\)/);
  writeFileSync(ledgerPath, '{"version":1,"nextSer');
  assert.match((await openCa(host, caDir, owner.uid) as { message: string }).message, /ledger\.json: not valid JSON/);
  writeFileSync(ledgerPath, saved);
});

test('the CA lock: a dead owner is taken over; a live one is waited for', { timeout: 120_000 }, async () => {
  const host = await openMachine();
  const caDir = join(dir, 'ca2');
  const made = await initCa(host, { dir: caDir, type: 'ed25519', now: new Date().toISOString(), owner, label: 'test' });
  assert.ok(made.ok);
  // A pid that does not exist: stale.
  writeFileSync(join(caDir, '.lock'), '999999999\n', { mode: 0o600 });
  const a = await signCertificate(host, made.value, req());
  assert.ok(a.ok, (a as { message?: string }).message);
  // A live holder (a sleeping child): the signer waits until it is gone.
  const { spawn } = await import('node:child_process');
  const child = spawn('sleep', ['2'], { stdio: 'ignore' });
  writeFileSync(join(caDir, '.lock'), `${child.pid}\n`, { mode: 0o600 });
  const t0 = Date.now();
  const exited = new Promise((r) => child.once('exit', r));
  setTimeout(() => rmSync(join(caDir, '.lock'), { force: true }), 1500);
  const b = await signCertificate(host, (await openCa(host, caDir, owner.uid) as { value: Parameters<typeof signCertificate>[1] }).value, req());
  await exited;
  assert.ok(b.ok);
  assert.ok(Date.now() - t0 >= 1000, 'it waited for the live holder');
  assert.equal(b.value.entry.serial, 2);
});
