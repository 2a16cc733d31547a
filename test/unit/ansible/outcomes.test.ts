// The collection's Python side, run with the system python3 (what the targets run it with): the
// table from sshield's Outcome to Ansible's changed/failed/msg/diff
// (ansible/collections/.../sshield/openssh/tests/unit/test_outcomes.py), given every outcome kind
// of schemas/change.schema.json so that a new kind cannot go unmapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from '../../helpers/sshd.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const TESTS = join(REPO, 'ansible', 'collections', 'ansible_collections', 'sshield', 'openssh', 'tests', 'unit');

function outcomeKinds(): string[] {
  const schema = JSON.parse(readFileSync(join(REPO, 'schemas', 'change.schema.json'), 'utf8')) as { $defs: { outcome: { oneOf: { properties: { kind: { const: string } } }[] } } };
  return schema.$defs.outcome.oneOf.map((o) => o.properties.kind.const);
}

test('every outcome kind maps to Ansible\'s changed/failed/msg, the diff is before/after per file (python3 -m unittest)', { skip: existsSync('/usr/bin/python3') ? undefined : 'no python3' }, async () => {
  const kinds = outcomeKinds();
  assert.equal(kinds.length, 10);
  const r = await run('/usr/bin/python3', ['-B', '-m', 'unittest', '-v', 'test_outcomes'], { env: { PYTHONPATH: TESTS, SSHIELD_OUTCOME_KINDS: JSON.stringify(kinds), PYTHONDONTWRITEBYTECODE: '1' }, timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^Ran 7 tests/m);
  assert.match(r.stderr, /^OK$/m);
});
