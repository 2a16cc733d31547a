// Exit codes every command uses, so scripts can rely on them: the one table lives below the CLI
// (src/apply/outcome.ts), beside the Outcome it maps.
export { EXIT, EXIT_OF, exitCodeOf, type ExitCode } from '../apply/outcome.js';
