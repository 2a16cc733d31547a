import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressContains, normaliseClientAddress, parseAllowAddress, parseAllowAddresses, sampleOutside } from '../../../src/allow/address.js';

test('IPv4 and IPv6 addresses and networks parse to the text sshd reads', () => {
  const ok = (i: string, text: string, prefix: number) => {
    const r = parseAllowAddress(i);
    assert.ok(r.ok, `${i}: ${r.ok ? '' : r.message}`);
    assert.equal(r.value.text, text);
    assert.equal(r.value.prefix, prefix);
  };
  ok('127.0.0.1', '127.0.0.1', 32);
  ok('127.0.0.1/32', '127.0.0.1', 32);
  ok('10.0.0.0/8', '10.0.0.0/8', 8);
  ok('0.0.0.0/0', '0.0.0.0/0', 0);
  ok('2001:DB8:0:0::1', '2001:db8::1', 128);
  ok('2001:db8::/32', '2001:db8::/32', 32);
  ok('::1', '::1', 128);
  ok(' 192.0.2.7 ', '192.0.2.7', 32);
});

test('bad addresses get a clear message', () => {
  const bad = (i: string, re: RegExp) => {
    const r = parseAllowAddress(i);
    assert.equal(r.ok, false, i);
    if (!r.ok) assert.match(r.message, re, i);
  };
  bad('10.0.0', /not a full IPv4 address.*10\.0\.0\.0\/24/);
  bad('10', /not a full IPv4 address/);
  bad('010.0.0.1', /not a full IPv4/);
  bad('256.1.1.1', /not a full IPv4/);
  bad('10.0.0.5/24', /host bits set.*10\.0\.0\.0\/24/);
  bad('10.0.0.0/33', /bad prefix/);
  bad('10.0.0.0/', /bad prefix/);
  bad('2001:db8::1/129', /bad prefix/);
  bad('2001:db8::1/64', /did you mean 2001:db8::\/64/);
  bad('fe80::1%eth0', /zone/);
  bad('::ffff:10.1.2.3', /write 10\.1\.2\.3/);
  bad('example.com', /host names are not allowed/);
  bad('', /empty/);
  bad('*', /not an IPv4 or IPv6/);
  bad('1.2.3.4,5.6.7.8', /not an IPv4 or IPv6/);
});

test('parseAllowAddresses reports every error and deduplicates', () => {
  const r = parseAllowAddresses(['10.0.0.0/8', '10.0.0.0/8', 'x', '10.0.0']);
  assert.deepEqual(r.values.map((v) => v.text), ['10.0.0.0/8']);
  assert.deepEqual(r.errors.map((e) => e.input), ['x', '10.0.0']);
});

test('membership, mapped client addresses and outside samples', () => {
  const net = parseAllowAddress('10.0.0.0/8');
  const v6 = parseAllowAddress('2001:db8::/32');
  assert.ok(net.ok && v6.ok);
  assert.ok(addressContains(net.value, '10.9.8.7'));
  assert.ok(!addressContains(net.value, '11.0.0.1'));
  assert.ok(addressContains(net.value, '::ffff:10.1.1.1'));
  assert.ok(addressContains(v6.value, '2001:db8:1::5'));
  assert.ok(!addressContains(v6.value, '10.0.0.1'));
  assert.equal(normaliseClientAddress('::ffff:127.0.0.1'), '127.0.0.1');
  const o4 = sampleOutside([net.value], 'ipv4')!;
  const o6 = sampleOutside([v6.value], 'ipv6')!;
  assert.ok(!addressContains(net.value, o4));
  assert.ok(!addressContains(v6.value, o6));
});
