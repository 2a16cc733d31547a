// Validates SARIF logs against the OASIS SARIF 2.1.0 JSON schema vendored in
// test/fixtures/sarif/ (see SOURCE.md there), with ajv 8: the schema is draft-04, so its
// top-level `id` is read as `$id`; formats uri, uri-reference and date-time are checked by small
// functions (ajv-formats is not a dependency). Also: every result has a location.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

const FILE = resolve(import.meta.dirname, '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0-rtm.5.json');

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (validate) return validate;
  const { id, $schema: _draft, ...rest } = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///base/'));
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  validate = ajv.compile({ $id: String(id), ...rest });
  return validate;
}

/** Fails with every violation unless `log` (text or parsed) is valid SARIF 2.1.0 with a location on every result. */
export function assertValidSarif(log: unknown, label = 'SARIF'): void {
  const value = typeof log === 'string' ? (JSON.parse(log) as unknown) : log;
  const v = validator();
  if (!v(value)) {
    const lines = (v.errors ?? []).slice(0, 20).map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    assert.fail(`${label}: not valid SARIF 2.1.0:\n${lines.join('\n')}`);
  }
  const runs = (value as { runs: { results?: { ruleId: string; locations?: unknown[] }[] }[] }).runs;
  for (const run of runs) for (const r of run.results ?? []) assert.ok((r.locations?.length ?? 0) > 0, `${label}: result ${r.ruleId} has no location`);
}
