// sshd/limit-login-grace-time is version-aware: 0 is right only while the build is vulnerable to
// CVE-2024-6387 (Debian 12 before 1:9.2p1-2+deb12u3); on a patched build 0 is a finding.
import { test } from 'node:test';
import { checkCase, type Case } from '../../helpers/rule-tester.js';

const VULN = '1:9.2p1-2+deb12u2';
const FIXED = '1:9.2p1-2+deb12u3';
const cases: Case[] = [
  { name: 'patched build, default 120', config: '', openssh: FIXED, status: 'fail', message: 'at most 30s' },
  { name: 'patched build, 30', config: 'LoginGraceTime 30\n', openssh: FIXED, status: 'pass' },
  { name: 'patched build, 20s with unit', config: 'logingracetime 20s\n', openssh: FIXED, status: 'pass' },
  { name: 'patched build, 0 is a finding', config: 'LoginGraceTime 0\n', openssh: FIXED, status: 'fail', message: 'exhaust MaxStartups', locations: ['/etc/ssh/sshd_config:1'] },
  { name: 'vulnerable build, 0 mitigates', config: 'LoginGraceTime 0\n', openssh: VULN, status: 'pass' },
  { name: 'vulnerable build, 30 is a finding', config: 'LoginGraceTime 30\n', openssh: VULN, status: 'fail', message: 'CVE-2024-6387' },
  { name: 'Debian 13 (10.0p1) is not vulnerable', config: 'LoginGraceTime 0\n', openssh: '1:10.0p1-7+deb13u4', status: 'fail' },
  { name: 'too short warns', config: 'LoginGraceTime 5\n', openssh: FIXED, status: 'warn' },
  { name: 'minutes unit', config: 'LoginGraceTime 1m\n', openssh: FIXED, status: 'fail', message: '60s' },
];
for (const c of cases) test(`sshd/limit-login-grace-time: ${c.name}`, () => checkCase('sshd/limit-login-grace-time', c));
