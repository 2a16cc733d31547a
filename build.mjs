// Bundles the CLI into one CommonJS file (dist/sshield.cjs): what `bin/sshield.js` runs and
// what the single executable (Node SEA) embeds. CJS because a SEA main must be CommonJS.
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

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/sshield.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [noNative],
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'const importMetaUrl = require("url").pathToFileURL(__filename).href;' },
});
