#!/usr/bin/env node
// Starts the bundled CLI. `npm ci` builds dist/ in `prepare`; run `npm run build` after edits.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
require('../dist/sshield.cjs');
