// Differential test of the tokeniser against the real daemon: generated lines with odd spacing,
// '=', quotes, escapes, trailing comments, tabs, form feeds, CRLF and NUL bytes, for keywords
// whose `sshd -T` output echoes their arguments. Our token values must equal what sshd prints,
// and we must reject (InvalidLine / per-keyword checks) exactly the configs sshd rejects.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseSshdConfig } from '../../../src/sshd/parser.js';
import type { DirectiveLine } from '../../../src/sshd/cst.js';
import { skipWhitespace } from '../../../src/sshd/lexer.js';
import { hostKeys, sshdAvailable, sshdT } from '../../helpers/sshd.js';

let seed = 0x5eed1234;
function rnd(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return ((seed >>> 8) % n + n) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;

const WORD = 'abcXYZ019/._-:%@+,';
function word(max = 6): string {
  let s = '';
  for (let i = 0, n = 1 + rnd(max); i < n; i++) s += WORD[rnd(WORD.length)];
  return s;
}
/** One raw argument: plain, quoted, escaped, with embedded '#', '=' or odd bytes. */
function rawArg(): string {
  switch (rnd(12)) {
    case 0:
      return `"${word()} ${word()}"`;
    case 1:
      return `'${word()}\t${word()}'`;
    case 2:
      return `${word()}\\ ${word()}`;
    case 3:
      return `${word()}"${word()} #x"${word()}`;
    case 4:
      return `${word()}#${word()}`;
    case 5:
      return `"${word()}\\"${word()}"`;
    case 6:
      return `${word()}\\\\${word()}`;
    case 7:
      return `${word()}\\q${word()}`; // unrecognised escape: backslash kept
    case 8:
      return `"${word()}'${word()}"`;
    case 9:
      return `${word()}=${word()}`;
    case 10:
      return rnd(6) === 0 ? `"${word()}` : word(); // sometimes an unbalanced quote
    default:
      return word();
  }
}
const SEPS = [' ', '\t', '  ', '=', ' = ', '\t=\t', ' =', '= ', ' \t '];
const GAPS = [' ', '\t', '  ', ' \t'];
const TAILS = ['', ' ', '\t', ' #c', '\t# c "x', '\f', ' \f\r', '#x'];
const LEADS = ['', ' ', '\t', '  \t', '\r'];
function caseVariant(k: string): string {
  return rnd(3) === 0 ? [...k].map((c) => (rnd(2) ? c.toUpperCase() : c.toLowerCase())).join('') : k;
}
function rawLine(keyword: string, args: string[], eol: string): string {
  return pick(LEADS) + caseVariant(keyword) + pick(SEPS) + args.map((a, i) => (i ? pick(GAPS) : '') + a).join('') + pick(TAILS) + eol;
}

type Expect = { ok: false } | { ok: true; lines: string[] };

/** What `sshd -T` prints for one of our directive lines (first-wins keywords appear once each). */
function expectFor(d: DirectiveLine): Expect {
  const v = d.args.map((a) => a.value);
  const rest = d.rest.value.slice(skipWhitespace(d.rest.value, 0));
  switch (d.keyword.value.toLowerCase()) {
    case 'acceptenv':
      if (v.length === 0 || v.some((x) => x === '' || x.includes('='))) return { ok: false };
      return { ok: true, lines: v.map((x) => `acceptenv ${x}`) };
    case 'setenv': {
      if (v.length === 0 || v.some((x) => x === '' || !x.includes('='))) return { ok: false };
      const seen = new Set<string>();
      const out: string[] = [];
      for (const x of v) {
        const name = x.slice(0, x.indexOf('='));
        if (!seen.has(name)) out.push(`setenv ${x}`);
        seen.add(name);
      }
      return { ok: true, lines: out };
    }
    case 'chrootdirectory':
      return v.length === 1 && v[0] !== '' ? { ok: true, lines: [`chrootdirectory ${v[0]}`] } : { ok: false };
    case 'authorizedkeysfile':
      return v.length === 0 || v.some((x) => x === '') ? { ok: false } : { ok: true, lines: [`authorizedkeysfile ${v.join(' ')}`] };
    case 'subsystem':
      return v.length >= 2 && v[0] !== '' && v[1] !== '' ? { ok: true, lines: [`subsystem ${v[0]} ${v.slice(1).join(' ')}`] } : { ok: false };
    case 'forcecommand':
      return { ok: true, lines: [`forcecommand ${rest}`] };
    case 'authorizedkeyscommand':
      return rest.startsWith('/') ? { ok: true, lines: [`authorizedkeyscommand ${rest}`] } : { ok: false };
    case 'versionaddendum':
      return rest.includes('\r') || rest.toLowerCase() === 'none' ? { ok: false } : { ok: true, lines: [`versionaddendum ${rest}`] };
    default:
      return { ok: true, lines: [] };
  }
}

const ECHOED = /^(acceptenv|setenv|chrootdirectory|authorizedkeysfile|subsystem|forcecommand|authorizedkeyscommand|versionaddendum) /;

interface Case {
  readonly text: string;
  readonly expect: Expect;
  /** Lines our parser rejects, which sshd must name in its errors. */
  readonly badLines: number[];
}

function buildCase(header: string, body: string): Case {
  const text = header + body;
  const file = parseSshdConfig(text, 'x');
  const lines: string[] = [];
  const badLines: number[] = [];
  let ok = true;
  let fatalAt = Infinity; // sshd stops at the first fatal(): later lines are not reported
  for (const l of file.lines) {
    if (l.kind === 'invalid' && l.severity === 'error') {
      ok = false;
      badLines.push(l.line);
    }
    if (l.kind !== 'directive') continue;
    const e = expectFor(l);
    if (!e.ok) {
      ok = false;
      fatalAt = Math.min(fatalAt, l.line);
    }
    else lines.push(...e.lines);
  }
  return { text, expect: ok ? { ok: true, lines } : { ok: false }, badLines: badLines.filter((n) => n < fatalAt) };
}

async function runCase(dir: string, i: number, c: Case): Promise<void> {
  const path = join(dir, `c${i}.conf`);
  writeFileSync(path, Buffer.from(c.text, 'latin1'));
  const r = await sshdT(path);
  const ctx = `case ${i}:\n${JSON.stringify(c.text)}\nsshd stderr: ${r.stderr}`;
  if (!c.expect.ok) {
    assert.notEqual(r.code, 0, `sshd accepted a config we reject; ${ctx}`);
    for (const n of c.badLines) assert.match(r.stderr, new RegExp(`line ${n}: (invalid quotes|no argument after keyword)`), ctx);
    return;
  }
  assert.equal(r.code, 0, `sshd rejected a config we accept; ${ctx}`);
  const got = r.stdout; // sshdT keeps the bytes (latin1)
  const echoed = got.split('\n').filter((l) => ECHOED.test(l));
  const want = c.expect.lines;
  // sshd -T prints keywords in its own order; compare per keyword, in order.
  for (const k of ['acceptenv', 'setenv', 'chrootdirectory', 'authorizedkeysfile', 'subsystem', 'forcecommand', 'authorizedkeyscommand', 'versionaddendum']) {
    const w = want.filter((l) => l.startsWith(`${k} `));
    if (w.length === 0) continue; // not set by the case: sshd prints its default
    assert.deepEqual(echoed.filter((l) => l.startsWith(`${k} `)), w, ctx);
  }
}

async function pool<T>(items: readonly T[], n: number, f: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await f(items[i]!, i);
      }
    }),
  );
}

describe('tokenisation agrees with the real sshd -T', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, () => {
  let dir = '';
  let header = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sshield-tok-'));
    const [key] = await hostKeys();
    header = `HostKey ${key}\nAuthorizedKeysCommandUser nobody\n`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('AcceptEnv batches: every argument of every line', async () => {
    const cases: Case[] = [];
    for (let i = 0; i < 150; i++) {
      let body = '';
      for (let j = 0; j < 8; j++) {
        const eol = pick(['\n', '\n', '\r\n']);
        if (rnd(5) === 0) body += pick(['\n', '# comment\n', '   \t\n', '\r\n', '  # x "y\n']);
        body += rawLine('AcceptEnv', Array.from({ length: 1 + rnd(3) }, rawArg), eol);
      }
      cases.push(buildCase(header, body));
    }
    assert.ok(cases.filter((c) => c.expect.ok).length >= 5, 'the generator must produce accepted configs');
    assert.ok(cases.filter((c) => !c.expect.ok).length >= 5, 'the generator must produce rejected configs');
    await pool(cases, 3, (c, i) => runCase(dir, i, c));
  });

  it('one line each of ForceCommand, ChrootDirectory, Subsystem, SetEnv, AuthorizedKeysFile, AuthorizedKeysCommand, VersionAddendum', async () => {
    const cases: Case[] = [];
    for (let i = 0; i < 300; i++) {
      const eol = () => pick(['\n', '\n', '\r\n']);
      const lines = [
        rawLine('ForceCommand', Array.from({ length: 1 + rnd(3) }, rawArg), eol()),
        rawLine('ChrootDirectory', [rawArg()], eol()),
        rawLine('Subsystem', [word(), '/' + word(), ...Array.from({ length: rnd(3) }, rawArg)], eol()),
        rawLine('SetEnv', Array.from({ length: 1 + rnd(2) }, () => `${word(3).replace(/[^A-Za-z]/g, 'V')}=${rawArg()}`), eol()),
        rawLine('AuthorizedKeysFile', Array.from({ length: 1 + rnd(2) }, rawArg), eol()),
        rawLine('AuthorizedKeysCommand', ['/' + word(), ...Array.from({ length: rnd(3) }, rawArg)], eol()),
        rawLine('VersionAddendum', Array.from({ length: 1 + rnd(2) }, rawArg), eol()),
      ];
      // Only a few lines per case, so that most cases are accepted.
      const body = lines.filter(() => rnd(3) === 0).join('') || lines[0]!;
      cases.push(buildCase(header, body));
    }
    assert.ok(cases.filter((c) => c.expect.ok).length >= 30);
    await pool(cases, 3, (c, i) => runCase(dir, 1000 + i, c));
  });

  it('NUL bytes join lines and shift line numbers exactly as load_server_config does', async () => {
    const cases = [
      buildCase(header, 'AcceptEnv a\0junk\n  b\nAcceptEnv c\n'),
      buildCase(header, 'AcceptEnv a\0\nAcceptEnv "b\nAcceptEnv c\n'), // "AcceptEnv aAcceptEnv "b" ...
      buildCase(header, '\0\n\0\nAcceptEnv "x\n'),
      buildCase(header, 'AcceptEnv q\n\0\n\0\nChrootDirectory\n'),
      buildCase(header, '\f\n'),
      buildCase(header, '\f \f\t\nAcceptEnv z\n'),
      buildCase(header, '"AcceptEnv x\nAcceptEnv y\n'), // unmatched quote in the keyword: line ignored
      buildCase(header, '"AcceptEnv" x y\n=AcceptEnv = "w"\n'),
      buildCase(header, 'AcceptEnv==x\n'),
      buildCase(header, 'AcceptEnv\t= \t=x\n'),
      buildCase(header, 'AcceptEnv\r\tk\r\n'),
      buildCase(header, 'AcceptEnv "a b"c\\ d\'e f\'\\\n'),
      buildCase(header, 'AcceptEnv e\\\n'),
    ];
    await pool(cases, 3, (c, i) => runCase(dir, 2000 + i, c));
  });
});
