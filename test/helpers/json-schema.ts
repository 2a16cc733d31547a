// JSON Schema validation of sshield's --json outputs against the schemas shipped in schemas/
// (draft 2020-12, ajv in strict mode): assertMatchesSchema('keys-list', doc) fails with every
// violation and the JSON pointer of each. All schemas share one ajv instance, so a command's
// schema may refer to the change envelope (urn:sshield:schema:change) by its $id.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

export const SCHEMA_DIR = resolve(import.meta.dirname, '..', '..', 'schemas');

/** The schema names shipped: "audit", "keys-list"... (file schemas/<name>.schema.json). */
export function schemaNames(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.schema.json'.length))
    .sort();
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

let ajv: Ajv2020 | undefined;

/** Every shipped schema, loaded into one validator so that one may refer to another by $id. */
function validator(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  for (const n of schemaNames()) ajv.addSchema(loadSchema(n));
  return ajv;
}

/** The compiled schemas/<name>.schema.json (ajv's strict mode: unknown keywords or loose types throw). */
export function validatorFor(name: string): ValidateFunction {
  const v = validator().getSchema(`urn:sshield:schema:${name}`);
  if (!v) throw new Error(`no schema ${name}`);
  return v;
}

/** Fails unless `doc` (parsed JSON, or the JSON text) matches schemas/<name>.schema.json. */
export function assertMatchesSchema(name: string, doc: unknown, label = name): void {
  const value = typeof doc === 'string' ? (JSON.parse(doc) as unknown) : doc;
  const validate = validatorFor(name);
  if (validate(value)) return;
  const lines = (validate.errors ?? []).slice(0, 20).map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  assert.fail(`${label}: does not match schemas/${name}.schema.json:\n${lines.join('\n')}`);
}
