// The one wrapper every `--json` output goes through: `{ schemaVersion, command, ...body }`.
// `schemaVersion` is 1 for every command and changes only when a field is removed or its meaning
// changes (fields are only ever added within a version); `command` names the command that printed
// it ("keys list", "effective"...), so a script can tell documents apart. Each command's shape is
// described by a JSON Schema (draft 2020-12) in schemas/<command>.schema.json, shipped in the
// package and checked against real outputs by the tests. Pure: no I/O.

export const SCHEMA_VERSION = 1;

/** The commands whose JSON goes through `versioned` (audit and scan build their own reports; the changing commands print the change envelope, outcome-json.ts). */
export type DocumentCommand = 'effective' | 'keys list' | 'user list' | 'allow list' | 'backups';

export type Versioned<C extends string, B extends object> = { readonly schemaVersion: typeof SCHEMA_VERSION; readonly command: C } & B;

/** `body` with the version and the command name in front (keys in that order in the JSON text). */
export function versioned<C extends string, B extends object>(command: C, body: B): Versioned<C, B> {
  return { schemaVersion: SCHEMA_VERSION, command, ...body };
}

