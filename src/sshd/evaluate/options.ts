// The ServerOptions model: one slot per `sshd -T` key holding printed values and origins. Slot
// "unset" mirrors servconf.c's -1/NULL/empty; first/last/accumulate follow the keyword table.
import type { Origin } from './types.js';

export interface Slot {
  values: string[];
  origin: Origin;
  setBy: Origin[];
  /** Raw algorithm string before assembly (kex_assemble_names runs at fill/copy time). */
  raw?: string;
  /** Copied from the connection pass (copy_set_server_options): fill_default's CLEAR_ON_NONE did not see it. */
  fromMatch?: boolean;
}

export class Options {
  readonly slots = new Map<string, Slot>();

  isSet(key: string): boolean {
    return this.slots.has(key);
  }

  /** Records a directive; sets the slot per `mode`. */
  set(key: string, values: string[], origin: Origin, mode: 'first' | 'last' | 'append', raw?: string): void {
    const s = this.slots.get(key);
    if (!s) {
      this.slots.set(key, { values, origin, setBy: [origin], raw });
      return;
    }
    s.setBy.push(origin);
    if (mode === 'last') {
      s.values = values;
      s.origin = origin;
      s.raw = raw;
      s.setBy = [origin, ...s.setBy.filter((o) => o !== origin)];
    } else if (mode === 'append') s.values.push(...values);
  }

  /** Only records that a directive touched the key without winning (shadowed). */
  touch(key: string, origin: Origin): void {
    this.slots.get(key)?.setBy.push(origin);
  }
}
