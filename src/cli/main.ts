// The CLI entry: runs the program (program.ts) and owns the only process.exit, after stdout and
// stderr have drained (a bare process.exit() cuts large --json output short on a pipe).
import { runProgram } from './program.js';

void runProgram(process.argv).then((code) => {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
});
