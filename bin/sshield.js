#!/usr/bin/env node
// Starts the bundled CLI. `npm ci` builds dist/ in `prepare`; run `npm run build` after edits.
// On Node >= 22.1 the V8 code cache skips re-compiling the ~1 MB bundle on every start (about
// 30 ms); Node 20 has no module.enableCompileCache and simply compiles it.
import module, { createRequire } from 'node:module';
module.enableCompileCache?.();
const require = createRequire(import.meta.url);
require('../dist/sshield.cjs');
