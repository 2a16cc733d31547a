// Where the files that ship beside the CLI are on this install: the npm package and a checkout
// keep docs/ and examples/ next to dist/; the .deb installs the rule pages under
// /usr/share/doc/sshield/. The single executable copied by hand has none (its docs are built in:
// `sshield explain`).
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DEB_DOCS = '/usr/share/doc/sshield/rules';

/** A file: URI ending in "/" for the installed rule pages (docs/rules), or undefined. */
export function shippedDocsBase(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [resolve(here, '..', 'docs', 'rules'), resolve(here, '..', '..', 'docs', 'rules'), DEB_DOCS]) {
    if (existsSync(resolve(dir, 'sshd-no-root-login.md'))) return `${pathToFileURL(dir).href}/`;
  }
  return undefined;
}
