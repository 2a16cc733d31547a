// Benchmark: parse and analyse 100,000 authorized_keys lines (~40 MB: a realistic mix of RSA
// 2048/3072/4096, ECDSA, Ed25519 and certificates generated once by ssh-keygen, with varied
// options and comments), the whole parseAuthorizedKeys pass including base64 decoding, blob
// analysis and SHA256 fingerprints. Target: under 1 s; prints the median of 5 runs.
//
// Default export: async () => rows (strings, already printed by the caller); run directly with
// `node --import tsx bench/keys.bench.ts [N]`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAuthorizedKeys } from '../src/keys/parser.js';

const OPTIONS = ['', 'no-pty ', 'restrict ', 'from="10.0.0.0/8,!10.1.2.3",no-agent-forwarding ', 'command="/usr/local/bin/backup --only \\"db\\"",no-pty,no-port-forwarding,no-X11-forwarding ', 'restrict,pty,permitopen="localhost:5432" ', 'environment="LANG=C",expiry-time="20301231" '];

function realKeys(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-keybench-'));
  try {
    const specs: [string, string[]][] = [['e', ['-t', 'ed25519']], ['r2', ['-t', 'rsa', '-b', '2048']], ['r3', ['-t', 'rsa', '-b', '3072']], ['r4', ['-t', 'rsa', '-b', '4096']], ['c', ['-t', 'ecdsa', '-b', '256']], ['ca', ['-t', 'ed25519']]];
    for (const [n, a] of specs) execFileSync('ssh-keygen', ['-q', '-N', '', '-C', '', ...a, '-f', join(dir, n)]);
    execFileSync('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-I', 'bench', '-n', 'alice', join(dir, 'e.pub')]);
    return ['e', 'r2', 'r3', 'r4', 'c', 'e-cert'].map((n) => readFileSync(join(dir, `${n}.pub`), 'latin1').trim().split(' ').slice(0, 2).join(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function makeCorpus(n: number, keys: string[]): string {
  const parts: string[] = [];
  // RSA-heavy, like real fleets: weights per key kind.
  const weights = [3, 2, 2, 2, 1, 1];
  const pool = keys.flatMap((k, i) => Array<string>(weights[i]!).fill(k));
  for (let i = 0; i < n; i++) {
    if (i % 50 === 0) parts.push(`# team ${i / 50}`);
    parts.push(`${OPTIONS[i % OPTIONS.length]}${pool[(i * 7) % pool.length]} user${i}@host-${i % 97}.example.org${i % 3 === 0 ? ' laptop key' : ''}`);
  }
  return parts.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export default async function bench(n = 100_000): Promise<string[]> {
  const text = makeCorpus(n, realKeys());
  const times: number[] = [];
  let keys = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const f = parseAuthorizedKeys(text, 'bench');
    times.push(performance.now() - t0);
    keys = f.lines.filter((l) => l.kind === 'key').length;
    if (f.diagnostics.length) throw new Error(`unexpected diagnostics: ${f.diagnostics[0]!.message}`);
  }
  const ms = median(times);
  return [
    `keys: parse+analyse ${keys.toLocaleString('en')} keys (${(text.length / 1e6).toFixed(1)} MB), median of 5: ${ms.toFixed(0)} ms (${((keys / ms) * 1000).toFixed(0)} keys/s) target < 1000 ms: ${ms < 1000 ? 'met' : 'MISSED'}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await bench(Number(process.argv[2] ?? 100_000))) console.log(row);
}
