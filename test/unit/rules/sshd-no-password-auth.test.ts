// sshd/no-password-auth through the real parser and evaluator: direct passwords, the
// keyboard-interactive + PAM path, a cloud-init drop-in winning over the main file, Match blocks.
import { test } from 'node:test';
import { checkCase, type Case } from '../../helpers/rule-tester.js';

const INC = 'Include /etc/ssh/sshd_config.d/*.conf\n';
const cases: Case[] = [
  { name: 'default (PasswordAuthentication yes)', config: 'UsePAM yes\n', status: 'fail', message: 'PasswordAuthentication yes' },
  { config: 'PasswordAuthentication no\nKbdInteractiveAuthentication no\n', status: 'pass' },
  { name: 'mixed case and =', config: 'passwordauthentication=NO\nKBDINTERACTIVEAUTHENTICATION = no\n', status: 'pass' },
  { name: 'quoted value', config: 'PasswordAuthentication "no"\nKbdInteractiveAuthentication "no"\n', status: 'pass' },
  { name: 'first value wins', config: 'PasswordAuthentication yes\nPasswordAuthentication no\n', status: 'fail', locations: ['/etc/ssh/sshd_config:1'] },
  { name: 'kbd-interactive with PAM asks for the password', config: 'PasswordAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM yes\n', status: 'fail', message: 'KbdInteractiveAuthentication yes with UsePAM yes', locations: ['/etc/ssh/sshd_config:2', '/etc/ssh/sshd_config:3'] },
  { name: 'kbd-interactive without PAM has no password prompt', config: 'PasswordAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM no\n', status: 'pass' },
  { name: 'ChallengeResponseAuthentication alias', config: 'PasswordAuthentication no\nChallengeResponseAuthentication yes\nUsePAM yes\n', status: 'fail', locations: ['/etc/ssh/sshd_config:2', '/etc/ssh/sshd_config:3'] },
  { name: 'AuthenticationMethods demands a key first', config: 'AuthenticationMethods publickey,password\nKbdInteractiveAuthentication no\n', status: 'pass' },
  {
    name: 'cloud-init drop-in wins over the main file',
    config: `${INC}PasswordAuthentication no\nKbdInteractiveAuthentication no\n`,
    files: { '/etc/ssh/sshd_config.d/50-cloud-init.conf': 'PasswordAuthentication yes\n' },
    status: 'fail',
    locations: ['/etc/ssh/sshd_config.d/50-cloud-init.conf:1'],
  },
  {
    name: 'a Match block re-enables passwords for some addresses',
    config: 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nMatch Address 10.0.0.0/8\n\tPasswordAuthentication yes\n',
    status: 'fail',
    message: /Match Address 10\.0\.0\.0\/8/,
    locations: ['/etc/ssh/sshd_config:4'],
  },
  {
    name: 'a Match User re-enables it for one user',
    config: 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nMatch User sftp1\n  PasswordAuthentication yes\n',
    status: 'fail',
    message: 'sftp1',
  },
  { name: 'CRLF and trailing comment', config: 'PasswordAuthentication no # keys only\r\nKbdInteractiveAuthentication no\r\n', status: 'pass' },
];

for (const c of cases) test(`sshd/no-password-auth: ${c.name ?? c.config.trim()}`, () => checkCase('sshd/no-password-auth', c));
