// For an ordinary user changing their own keys: whether every file the plan writes (and every
// directory it makes) is theirs to write, judged before anything is written so the answer is a
// sentence, never a raw EACCES from the writer. The writer puts a candidate beside each file and
// renames it over the file, so the directory must be the user's too. Reads only through ReadOnlyFs.
import { dirname } from 'node:path';
import type { Plan } from '../apply/plan.js';
import type { ReadOnlyFs } from '../host/fs.js';

export async function notCallersToWrite(fs: ReadOnlyFs, plan: Plan, uid: number, name: string): Promise<string | undefined> {
  const made = new Set((plan.steps ?? []).flatMap((s) => (s.kind === 'make-dir' ? [s.path] : [])));
  const mine = async (p: string, what: string): Promise<string | undefined> => {
    const st = await fs.stat(p);
    if (!st) return made.has(p) ? undefined : `${p} does not exist`;
    return st.uid === uid ? undefined : `${what} ${p} is owned by uid ${st.uid}, not by you (${name}): only root can change it (ask an admin, e.g. \`sudo sshield keys ... --user ${name}\`)`;
  };
  for (const f of plan.files) {
    const why = f.beforeSha256 !== null ? await mine(f.path, 'the file') : undefined;
    if (why) return why;
    const dir = await mine(dirname(f.path), 'its directory');
    if (dir) return dir;
  }
  for (const d of made) {
    const parent = dirname(d);
    if (made.has(parent)) continue;
    const why = await mine(parent, 'the directory');
    if (why) return why;
  }
  return undefined;
}
