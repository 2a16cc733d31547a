// Validation by the real sshd without ever exposing a broken live config: the candidate tree is
// written into a fresh temporary directory that mirrors the config paths (stage + /etc/ssh/...),
// and only in that copy are Include arguments rewritten to point into the mirror (relative ones
// resolve against /etc/ssh first, as sshd does: servconf.c process_server_config_line_depth,
// `Include`, OpenSSH 9.2p1). `sshd -t -f <stage main>` then reads exactly the candidate tree,
// drop-ins included, while the live files are still the old ones. The alternative (rename first,
// validate, restore on failure) leaves a window in which a crash or a restart by anyone else
// would start sshd on an unvalidated config, so it is not used.
import type { ByteString } from '../text/bytes.js';
import { bytesToText, textToBytes } from '../text/bytes.js';
import type { ApplyHost } from './host.js';
import type { Plan } from './plan.js';

const SSH_DIR = '/etc/ssh';

/** Rewrites the arguments of Include lines so they resolve inside `stage`. Other bytes unchanged. */
export function rewriteIncludes(text: ByteString, stage: string): ByteString {
  // Line structure as sshd reads it: keyword, then `=` or blanks, then arguments (misc.c
  // argv_split: blanks separate, double quotes group, `#` at a token start ends the line).
  return text.replace(/^([ \t]*)(include)([ \t]*=[ \t]*|[ \t]+)([^\r\n]*)/gim, (_all, lead: string, kw: string, sep: string, rest: string) => {
    const out: string[] = [];
    const re = /"([^"]*)"|([^\s"#][^\s"]*)|(#.*)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(rest)) !== null) {
      if (m[3] !== undefined) {
        out.push(m[3]);
        break;
      }
      const arg = m[1] ?? m[2] ?? '';
      const abs = arg.startsWith('/') ? arg : `${SSH_DIR}/${arg}`;
      out.push(m[1] !== undefined ? `"${stage}${abs}"` : `${stage}${abs}`);
    }
    return `${lead}${kw}${sep}${out.join(' ')}`;
  });
}

export interface Staged {
  readonly dir: string;
  /** The staged main config. */
  readonly main: string;
}

/** Writes the post-change tree into a mirror under `dir` (inside the run's backup directory, so
 * recovery removes what a killed run left); returns the staged main path. */
export async function stageTree(host: ApplyHost, plan: Plan, dir: string): Promise<Staged> {
  await host.removeTree(dir);
  await host.mkdirp(dir, 0o700);
  const changed = new Map(plan.files.map((f) => [f.path, f]));
  for (const t of plan.tree) {
    const c = changed.get(t.path);
    let text: ByteString;
    if (c) {
      if (c.action === 'delete') continue;
      text = c.after;
    } else {
      const r = await host.fs.readFile(t.hostPath);
      if (!r.ok) {
        if (r.reason === 'missing') continue; // sshd skips a missing include target too
        throw new Error(`cannot read ${t.hostPath} for validation: ${r.detail}`);
      }
      text = bytesToText(r.bytes);
    }
    const target = `${dir}${t.path}`;
    await host.mkdirp(target.slice(0, target.lastIndexOf('/')), 0o700);
    await host.writeFile(target, textToBytes(rewriteIncludes(text, dir)), { mode: 0o600 });
  }
  for (const c of plan.files) {
    if (c.action === 'delete' || plan.tree.some((t) => t.path === c.path)) continue;
    const target = `${dir}${c.path}`;
    await host.mkdirp(target.slice(0, target.lastIndexOf('/')), 0o700);
    await host.writeFile(target, textToBytes(rewriteIncludes(c.after, dir)), { mode: 0o600 });
  }
  return { dir, main: `${dir}${plan.configPath}` };
}
