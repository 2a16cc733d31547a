// Builds what the package ships:
// - dist/sshield.cjs: the CLI bundle, what `bin/sshield.js` runs and what the single executable
//   (Node SEA) embeds. CommonJS because a SEA main must be CommonJS.
// - dist/index.js: the library (`import … from 'sshield'`, src/index.ts), one ES module.
// - dist/types/: its declaration files (tsc, declarations only), named by package.json "types".
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

// Every output replaces the old file by a rename, never by rewriting it in place: the tests build
// in parallel while other tests run bin/sshield.js or type-check against dist/types, and a reader
// must see the old file or the new one, never half of one.
function replaceFile(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

function filesUnder(dir) {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return names.flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)]));
}

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

const common = { write: false, bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', legalComments: 'none', logLevel: 'warning', plugins: [noNative] };

const bundles = await Promise.all([
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
for (const f of bundles.flatMap((b) => b.outputFiles)) replaceFile(f.path, f.contents);

// Declarations of the library's public types (everything src/index.ts reaches): emitted into a
// scratch dir, each file renamed into dist/types, and a .d.ts of a module moved or removed since
// the last build deleted, so none is left stale.
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const scratch = `dist/.types.${process.pid}`;
try {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', scratch], { stdio: 'inherit' });
  const fresh = new Set(filesUnder(scratch).map((f) => relative(scratch, f)));
  for (const f of fresh) replaceFile(join('dist/types', f), readFileSync(join(scratch, f)));
  for (const f of filesUnder('dist/types')) if (!fresh.has(relative('dist/types', f))) rmSync(f);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// The man page and shell completions, generated from the commander program (shipped in the npm
// package as dist/cli-docs/, package.json "man"; the .deb installs them too).
execFileSync(process.execPath, ['--import', 'tsx', 'scripts/cli-docs.ts', 'dist/cli-docs'], { stdio: ['ignore', 'ignore', 'inherit'] });
