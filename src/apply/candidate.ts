// The candidate of a plan: the files it writes (new text, or null for a file it deletes), laid
// over the host's files with the one overlay (src/host/overlay-fs.ts). A loaded host turns them
// into the candidate configuration (src/host/loaded-host.ts candidate), evaluated and audited
// without writing anything. Pure.
import type { ReadOnlyFs } from '../host/fs.js';
import { overlayFs } from '../host/overlay-fs.js';
import type { ByteString } from '../text/bytes.js';
import type { Plan } from './plan.js';

export { overlayFs };

/** The files a plan changes, by sshd path: the new text, or null for a deletion. */
export function candidateFiles(plan: Pick<Plan, 'files'>): Map<string, ByteString | null> {
  return new Map(plan.files.map((f) => [f.path, f.action === 'delete' ? null : f.after]));
}

/** Every file of the candidate (planned) tree as text, for guards and the audit of the prediction. */
export function candidateFs(fs: ReadOnlyFs, plan: Pick<Plan, 'files'>): ReadOnlyFs {
  return overlayFs(fs, candidateFiles(plan));
}
