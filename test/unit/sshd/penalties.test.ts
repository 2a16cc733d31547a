// PerSourcePenalties parsing, merging and printing (src/sshd/evaluate/penalties.ts), with the
// expectations of Debian 13's 10.0p1 and Debian unstable's 10.6p1 `sshd -T` (the integration
// tests hold the whole path to the daemons).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePenalties, parsePenalties, renderPenalties } from '../../../src/sshd/evaluate/penalties.js';

const KW = 'PerSourcePenalties';
const line = (texts: string[], v2: boolean) => {
  let slot: string[] | undefined;
  for (const t of texts) {
    const r = parsePenalties(t.split(' '), KW, v2);
    assert.ok(r.ok, t);
    slot = mergePenalties(slot, r.fields);
  }
  return renderPenalties(slot, v2);
};

test('defaults, no, and explicit fields (10.0p1 integers)', () => {
  assert.equal(renderPenalties(undefined, false), 'crash:90 authfail:5 noauth:1 grace-exceeded:10 refuseconnection:10 max:600 min:15 max-sources4:65536 max-sources6:65536 overflow:permissive overflow6:permissive');
  assert.equal(line(['no'], false), 'no');
  assert.equal(line(['authfail:300s min:350s max:900s'], false), 'crash:90 authfail:300 noauth:1 grace-exceeded:10 refuseconnection:10 max:900 min:350 max-sources4:65536 max-sources6:65536 overflow:permissive overflow6:permissive');
  assert.equal(line(['crash:1m overflow:deny-all'], false), 'crash:60 authfail:5 noauth:1 grace-exceeded:10 refuseconnection:10 max:600 min:15 max-sources4:65536 max-sources6:65536 overflow:deny-all overflow6:deny-all');
});

test('first value per field wins; a field enables penalties after "no", "no" after a field does not disable', () => {
  assert.equal(line(['authfail:1 authfail:2'], false).split(' ')[1], 'authfail:1');
  assert.equal(line(['authfail:2', 'no'], false).split(' ')[1], 'authfail:2');
  assert.equal(line(['no', 'noauth:7'], false).split(' ')[2], 'noauth:7');
});

test('10.5+: invaliduser and fractional seconds, printed with %f', () => {
  assert.equal(line(['invaliduser:3 authfail:1.5'], true), 'crash:90.000000 authfail:1.500000 noauth:1.000000 invaliduser:3.000000 grace-exceeded:10.000000 refuseconnection:10.000000 max:600.000000 min:15.000000 max-sources4:65536 max-sources6:65536 overflow:permissive overflow6:permissive');
  assert.equal(parsePenalties(['invaliduser:3'], KW, false).ok, false);
  assert.equal(parsePenalties(['authfail:1.5'], KW, false).ok, false);
});

test('refusals in sshd\'s words', () => {
  const msg = (args: string[]) => { const r = parsePenalties(args, KW, true); return r.ok ? '' : r.message; };
  assert.equal(msg(['yes', 'authfail:2']), 'keyword PerSourcePenalties "yes" argument must appear alone.');
  assert.equal(msg(['Crash:5']), 'unsupported PerSourcePenalties keyword Crash:5');
  assert.equal(msg(['max-sources6:x']), 'PerSourcePenalties value invalid.');
  assert.equal(msg(['authfail:-1']), 'invalid PerSourcePenalties time value.');
});
