// Builds what the package ships:
// - dist/sshield.cjs: the CLI bundle, what `bin/sshield.js` runs and what the single executable
//   (Node SEA) embeds. CommonJS because a SEA main must be CommonJS.
// - dist/index.js: the library (`import … from 'sshield'`, src/index.ts), one ES module.
// - dist/types/: its declaration files (tsc, declarations only), named by package.json "types".
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

// ssh2 optionally requires native addons (sshcrypto.node, cpu-features); we ship pure JS, so
// those requires become modules that throw, which ssh2 catches and falls back from.
const noNative = {
  name: 'no-native',
  setup(b) {
    b.onResolve({ filter: /\.node$|^cpu-features$/ }, (args) => ({ path: args.path, namespace: 'no-native' }));
    b.onLoad({ filter: /.*/, namespace: 'no-native' }, () => ({
      contents: 'throw new Error("native addon disabled in the sshield bundle");',
    }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', legalComments: 'none', logLevel: 'warning', plugins: [noNative] };

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/sshield.cjs',
    format: 'cjs',
    minify: true,
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: 'const importMetaUrl = require("url").pathToFileURL(__filename).href;' },
  }),
  build({
    ...common,
    entryPoints: ['src/index.ts'],
    outfile: 'dist/index.js',
    format: 'esm',
    // The bundled dependencies are CommonJS (ssh2, commander...): give them a require.
    banner: { js: 'import { createRequire as __sshieldCreateRequire } from "node:module"; const require = __sshieldCreateRequire(import.meta.url);' },
  }),
]);

// Declarations of the library's public types (everything src/index.ts reaches), from a clean dir
// so a module that was moved or removed leaves no stale .d.ts behind.
rmSync('dist/types', { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

// The man page and shell completions, generated from the commander program (shipped in the npm
// package as dist/cli-docs/, package.json "man"; the .deb installs them too).
execFileSync(process.execPath, ['--import', 'tsx', 'scripts/cli-docs.ts', 'dist/cli-docs'], { stdio: ['ignore', 'ignore', 'inherit'] });
