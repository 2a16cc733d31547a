// The planner of `ca sign-host`: which host keys get a certificate and how the server presents
// them. The host keys are the effective `HostKey` list (the evaluator's, defaults included);
// each whose `.pub` is readable is signed by the host CA (the caller does that: store.ts), its
// certificate installed beside it as KEY-cert.pub (0644) and named by a `HostCertificate` line
// inserted right after the last HostKey directive (a global line: HostKey is not allowed in a
// Match block), or where the harden planner puts global settings when there is none.
// sshd_config(5): HostCertificate "Specifies a file containing a public host certificate. The
// certificate's public key must match a private host key already specified by HostKey."
// Keys under /etc/pve (a Proxmox VE cluster's shared files) are never touched, nor is
// /etc/pve/priv/known_hosts: the cluster's own trust stays as PVE made it.
// Also the one `@cert-authority` line clients add to known_hosts. Pure apart from reads.
import { fileChange } from '../apply/planner.js';
import type { FileChange, Plan } from '../apply/plan.js';
import { evaluateWith, type LoadedConfig } from '../allow/engine.js';
import { findKeyword } from '../sshd/keywords/index.js';
import { insertLine } from '../sshd/edit.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import { bytesToText } from '../text/bytes.js';
import type { DirectiveLine } from '../sshd/cst.js';
import { publicKeyLine } from './keygen.js';

export interface HostKeyToSign {
  readonly keyPath: string;
  readonly pubPath: string;
  readonly pubText: string;
  readonly certPath: string;
}

const hostPathOf = (root: string | undefined, p: string) => (root === undefined ? p : `${root.replace(/\/+$/, '')}${p}`);

/** The host keys to sign and the keys skipped, with why. */
export async function hostKeysToSign(cfg: LoadedConfig): Promise<{ keys: HostKeyToSign[]; notes: string[] }> {
  const eff = await evaluateWith(cfg, new Map(), undefined);
  const keys: HostKeyToSign[] = [];
  const notes: string[] = [];
  for (const keyPath of eff.get('hostkey')?.values ?? []) {
    if (keyPath.startsWith('/etc/pve/')) {
      notes.push(`${keyPath}: under /etc/pve (the PVE cluster's files): left alone`);
      continue;
    }
    const pubPath = `${keyPath}.pub`;
    const r = await cfg.fs.readFile(pubPath, 1 << 20);
    if (!r.ok) {
      notes.push(`${keyPath}: no readable ${pubPath} (${r.reason}): not signed`);
      continue;
    }
    const pubText = Buffer.from(r.bytes).toString('utf8');
    if (!publicKeyLine(pubText)) {
      notes.push(`${pubPath}: not one public key line: not signed`);
      continue;
    }
    keys.push({ keyPath, pubPath, pubText, certPath: `${keyPath}-cert.pub` });
  }
  return { keys, notes };
}

export interface HostCertPlanInput {
  readonly cfg: LoadedConfig;
  readonly root?: string;
  readonly certs: readonly { readonly key: HostKeyToSign; readonly cert: string }[];
  readonly reload: Plan['reload'];
  readonly verify?: Plan['verify'];
  readonly notes: readonly string[];
}

const isKeyword = (l: { kind: string }, name: string): l is DirectiveLine => l.kind === 'directive' && findKeyword((l as DirectiveLine).keyword.value)?.name === name;

/** The plan: each certificate file written, and the HostCertificate lines sshd does not have yet. */
export async function planHostCertificates(p: HostCertPlanInput): Promise<{ ok: true; plan: Plan } | { ok: false; message: string }> {
  const { cfg } = p;
  const eff = await evaluateWith(cfg, new Map(), undefined);
  const have = new Set(eff.get('hostcertificate')?.values ?? []);
  const files: FileChange[] = [];
  for (const c of p.certs) {
    const r = await cfg.fs.readFile(c.key.certPath, 1 << 20);
    const before = r.ok ? bytesToText(r.bytes) : undefined;
    if (before !== c.cert) files.push(fileChange(c.key.certPath, hostPathOf(p.root, c.key.certPath), before ?? null, c.cert, [], [`host certificate for ${c.key.keyPath}`]));
  }
  const missing = p.certs.map((c) => c.key.certPath).filter((x) => !have.has(x));
  let configFiles: FileChange[] = [];
  const tree = [...cfg.tree.files.keys()].map((path) => ({ path, hostPath: hostPathOf(p.root, path) }));
  if (missing.length) {
    // After the last HostKey directive of the tree; with none (the default keys), before the main
    // file's first Match (HostCertificate accumulates: any global position counts the same).
    let anchor: { file: string; line: DirectiveLine } | undefined;
    for (const f of cfg.tree.files.values()) for (const l of f.lines) if (isKeyword(l, 'HostKey')) anchor = { file: f.path, line: l };
    const file = anchor ? cfg.tree.files.get(anchor.file)! : cfg.main;
    const firstMatch = file.lines.find((l) => isKeyword(l, 'Match'));
    const edits: TextEdit[] = [];
    for (const m of missing) edits.push(...insertLine(file, anchor ? { after: anchor.line } : firstMatch ? { before: firstMatch } : 'end', `HostCertificate ${m}`));
    // Several inserts at one offset: one edit with the lines in order.
    const merged: TextEdit[] = edits.length ? [{ start: edits[0]!.start, end: edits[0]!.end, text: edits.map((e, i) => (i === 0 ? e.text : e.text.replace(/^\r?\n(?=HostCertificate)/, ''))).join('') }] : [];
    const after = applyEdits(file.text, merged);
    configFiles = [fileChange(file.path, hostPathOf(p.root, file.path), file.text, after, merged, [anchor ? 'HostCertificate beside its HostKey' : 'HostCertificate for the default host keys'])];
  }
  const plan: Plan = {
    version: 1,
    kind: 'ca',
    configPath: cfg.mainPath,
    ...(p.root !== undefined ? { root: p.root } : {}),
    files: [...files, ...configFiles],
    tree,
    predicted: [],
    guards: [],
    remediated: [],
    notes: [...p.notes],
    reload: p.reload,
    ...(p.verify ? { verify: p.verify } : {}),
  };
  return { ok: true, plan };
}

/** The line clients add to known_hosts: `@cert-authority PATTERNS KEYTYPE BASE64 COMMENT` (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"). */
export function certAuthorityLine(patterns: readonly string[], hostCaPub: string): string {
  const k = publicKeyLine(hostCaPub);
  return `@cert-authority ${patterns.join(',')} ${k ? `${k.type} ${k.blob}${k.comment ? ` ${k.comment}` : ''}` : hostCaPub.trim()}`;
}
