// The real man page, generated from the commander program (src/cli/program.ts buildProgram):
// every command and subcommand has its section, every option its entry, and man(1) renders it
// without a warning (the check lintian runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../../src/cli/program.js';
import { commandSpec, manPageInput } from '../../../src/cli/completion.js';
import { walk } from '../../../src/docs/cli-spec.js';
import { renderManPage, roff } from '../../../src/docs/man.js';

test('sshield(1) documents every command and option and renders without warnings', { skip: spawnSync('man', ['--version']).status !== 0 && 'needs man-db' }, () => {
  const program = buildProgram();
  const page = renderManPage(manPageInput(program, '0.0.0', '2026-12-04'));
  for (const { path, cmd } of walk(commandSpec(program))) {
    if (path.length === 0) continue;
    assert.ok(page.includes(`.SS "sshield ${roff(path.join(' '))} `), `section for ${path.join(' ')}`);
    for (const o of cmd.options) assert.ok(page.includes(`.B ${roff(o.flags)}\n`), `${path.join(' ')} ${o.flags}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sshield-man-'));
  try {
    writeFileSync(join(dir, 'sshield.1'), page);
    const r = spawnSync('man', ['--warnings', '-E', 'UTF-8', '-l', '-Tutf8', '-Z', join(dir, 'sshield.1')], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', MANROFFSEQ: '', MANWIDTH: '80' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no groff warning');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
