// Value grammars: misc.c convtime (time values), match.c match_pattern_list / match_hostname
// (wildcards, negation), addrmatch.c addr_match_list (CIDR, wildcards, invalid lists), IPQoS
// per build. Expectations from OpenSSH 9.2p1 / 10.0p1 sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a2port, convtime, iptos2str, logLevel, parseIpqos, scanScaled } from '../../../src/sshd/values/time.js';
import { addrMatchList, matchHostname, matchPattern, matchPatternList } from '../../../src/sshd/values/pattern.js';

test('time values (convtime)', () => {
  const rows: [string, number | undefined][] = [
    ['0', 0], ['30', 30], ['1m30s', 90], ['1h', 3600], ['2h', 7200], ['1d', 86400], ['1w', 604800], ['1W1D', 691200],
    ['90S', 90], ['5m', 300], ['1x', undefined], ['', undefined], ['-1', undefined], ['m', undefined], ['1m 30s', 90], // blanks between units are skipped (checked with sshd -T 9.2p1)
  ];
  for (const [s, want] of rows) assert.equal(convtime(s), want, JSON.stringify(s));
});

test('ports, scaled sizes, log level names', () => {
  assert.equal(a2port('22'), 22);
  assert.equal(a2port('65536'), -1);
  assert.equal(a2port('0'), 0);
  assert.equal(scanScaled('1G'), 1024 ** 3);
  assert.equal(scanScaled('512M'), 512 * 1024 ** 2);
  assert.equal(scanScaled('bogus'), undefined);
  assert.equal(logLevel('debug'), 'DEBUG');
  assert.equal(logLevel('DEBUG1'), 'DEBUG'); // log_level_name: DEBUG1 prints as DEBUG
  assert.equal(logLevel('verbose'), 'VERBOSE');
  assert.equal(logLevel('loud'), undefined);
});

test('wildcard patterns and pattern lists with negation', () => {
  const rows: [string, string, 1 | 0 | -1][] = [
    ['alice', 'alice', 1], ['alice', 'al*', 1], ['alice', 'al?ce', 1], ['alice', 'bob,carol', 0],
    ['root', '!root,*', -1], ['alice', '!root,*', 1], ['Alice', 'alice', 0], ['alice', '*,!alice', -1], ['', '*', 1],
  ];
  for (const [s, list, want] of rows) assert.equal(matchPatternList(s, list), want, `${s} in ${list}`);
  assert.equal(matchPattern('a.example.com', '*.example.com'), true);
  assert.equal(matchHostname('A.Example.COM', '*.example.com'), 1); // hostnames are case-insensitive
});

test('address lists: CIDR, wildcards, negation, invalid', () => {
  const rows: [string | undefined, string, 1 | 0 | -1 | -2][] = [
    ['10.1.2.3', '10.0.0.0/8', 1], ['11.1.2.3', '10.0.0.0/8', 0], ['192.168.1.5', '192.168.1.*', 1],
    ['10.1.2.3', '!10.1.2.3,10.0.0.0/8', -1], ['::1', '::1', 1], ['::1', '::/0', 1], ['10.0.0.1', '::/0', 0],
    ['fd00:10::12', 'fd00:10::/64', 1], ['10.0.0.1', '10.0.0.1/8', -2], ['10.0.0.1', '10.0.0.0/33', 0],
    [undefined, '10.0.0.1/8', -2], [undefined, '10.0.0.0/8', 0], ['10.0.0.1', '', -2],
  ];
  for (const [addr, list, want] of rows) assert.equal(addrMatchList(addr, list), want, `${addr} in ${list}`);
});

test('IPQoS names and numbers per build', () => {
  assert.equal(iptos2str(parseIpqos('lowdelay')!), 'lowdelay');
  assert.equal(iptos2str(parseIpqos('0x10')!), 'lowdelay'); // 9.2: strtol base 0
  assert.equal(iptos2str(parseIpqos('lowdelay', 10)!, 10), 'none'); // 10.0: deprecated, "none"
  assert.equal(parseIpqos('0x10', 10), undefined); // 10.0: strtonum, decimal only
  assert.equal(iptos2str(parseIpqos('16', 10)!, 10), '0x10');
  assert.equal(iptos2str(parseIpqos('af21', 10)!, 10), 'af21');
  assert.equal(parseIpqos('bogus'), undefined);
  assert.equal(parseIpqos('256'), undefined);
});
