// Corpus test: every real sshd_config the project ships (test/corpus/sshd: distro defaults and
// a hardening guide; examples/*: the offline roots) and the configs collected from outside
// (test/corpus/sshd-collected, each naming its source: OpenSSH's own default and regression
// scripts, a Docker image, tutorials, hardening scripts) evaluated by the built-in engine and by
// the three real daemons (Debian 12 9.2p1, Debian 13 10.0p1, Debian unstable 10.6p1): accept/
// reject must agree and the printed output must be identical, with and without -C specs.
// Absolute Includes of /etc/ssh/sshd_config.d are pointed at the set's own copy, so the
// machine's drop-ins never leak in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadEffective, renderSshdT } from '../../../src/sshd/evaluate/index.js';
import { parseSpec } from '../../../src/cli/effective.js';
import type { ConnectionSpec } from '../../../src/sshd/evaluate/types.js';
import { oracles } from '../../helpers/oracles.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SPECS = [
  undefined,
  'user=root,host=peer,addr=10.10.10.12,laddr=10.10.10.11,lport=22',
  'user=sammyfiles,host=d,addr=127.0.0.1,laddr=127.0.0.1,lport=22',
  'user=alice,host=f,addr=192.0.2.7,laddr=127.0.0.1,lport=2022',
];

interface ConfigSet { readonly name: string; readonly main: string; readonly files: Record<string, string> }

const read = (p: string) => readFileSync(p).toString('latin1');
const local = (t: string) => t.replaceAll('/etc/ssh/sshd_config.d/', '@DIR@/sshd_config.d/');

function sets(): ConfigSet[] {
  const out: ConfigSet[] = [];
  for (const dir of ['test/corpus/sshd', 'test/corpus/sshd-collected']) {
    for (const n of readdirSync(join(ROOT, dir)).sort()) {
      const p = join(ROOT, dir, n);
      if (n.endsWith('.md')) continue;
      if (statSync(p).isDirectory()) {
        const files: Record<string, string> = {};
        for (const f of readdirSync(p).sort()) if (f !== 'sshd_config') files[f] = read(join(p, f));
        out.push({ name: `${dir}/${n}`, main: read(join(p, 'sshd_config')), files });
      } else out.push({ name: `${dir}/${n}`, main: local(read(p)), files: {} });
    }
  }
  for (const ex of readdirSync(join(ROOT, 'examples')).sort()) {
    const ssh = join(ROOT, 'examples', ex, 'etc/ssh');
    if (!existsSync(join(ssh, 'sshd_config'))) continue;
    const files: Record<string, string> = {};
    const dropins = join(ssh, 'sshd_config.d');
    for (const f of statSync(dropins, { throwIfNoEntry: false })?.isDirectory() ? readdirSync(dropins).sort() : []) files[`sshd_config.d/${f}`] = local(read(join(dropins, f)));
    out.push({ name: `examples/${ex}`, main: local(read(join(ssh, 'sshd_config'))), files });
  }
  return out;
}

for (const o of oracles()) {
  test(`corpus: the built-in engine (${o.build.id}) equals the real sshd -T on every shipped and collected config`, { skip: o.unavailable ?? false, timeout: 300_000 }, async () => {
    const hk = await o.hostKey();
    const all = sets();
    assert.ok(all.length >= 20, `only ${all.length} config sets`);
    const failures: string[] = [];
    let accepted = 0;
    for (const s of all) {
      // sshd -T needs a host key it can load; the set's own HostKey lines stay (and print)
      const placed = o.place(`HostKey ${hk}\n${s.main}`, s.files);
      try {
        const loaded = await loadEffective(o.fs, placed.main, { build: o.build, cwd: o.cwd });
        if (loaded.effective.ok) accepted++;
        const reals = await placed.sshdTMany(SPECS);
        for (const [i, specText] of SPECS.entries()) {
          const real = reals[i]!;
          const eff = loaded.evaluate(specText ? (parseSpec(specText) as ConnectionSpec) : undefined);
          const realOk = real.code === 0;
          const mine = renderSshdT(eff);
          if (realOk !== eff.ok || (realOk && real.stdout !== mine)) {
            const why = eff.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}: ${d.message}`).join('; ');
            const a = real.stdout.split('\n'), b = mine.split('\n');
            failures.push(`${s.name} spec ${specText ?? '(none)'}: real ${realOk ? 'accepts' : `rejects: ${real.stderr.trim()}`}, ours ${eff.ok ? 'accepts' : `rejects: ${why}`}${realOk && eff.ok ? `\nonly sshd: ${a.filter((x) => !b.includes(x)).join(' | ')}\nonly ours: ${b.filter((x) => !a.includes(x)).join(' | ')}` : ''}`);
            break;
          }
        }
      } finally {
        placed.remove();
      }
    }
    assert.deepEqual(failures, [], `${o.build.id}: ${failures.length} of ${all.length} config sets differ`);
    console.log(`${o.build.id}: ${all.length} config sets x ${SPECS.length} specs, ${accepted} accepted, 0 differences`);
  });
}
