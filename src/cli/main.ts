// The CLI entry: runs the program (program.ts) and owns the only process.exit, after stdout and
// stderr have drained (a bare process.exit() cuts large --json output short on a pipe). Sets the
// remote runner for the changing commands over the fleet flags (tests of the program set a fake).
import { runProgram } from './program.js';
import { useFleetRunner } from './fleet-change.js';
import { remoteRunnerFactory } from './remote-runner.js';

// Changes over --host/--inventory/--cluster run on the hosts themselves (remote-runner.ts).
useFleetRunner(remoteRunnerFactory);

void runProgram(process.argv).then((code) => {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
});
