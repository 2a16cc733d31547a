// The package version, from package.json (never a literal), for --version and plan metadata.
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
