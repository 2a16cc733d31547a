// memoryFs: an in-memory ReadOnlyFs for tests. Files, directories (parents are created
// implicitly), symlinks (relative or absolute, resolved like the kernel does, loops give
// "missing"), modes, uid/gid, and entries marked unreadable (read/list fail as EACCES would).
// Contents are byte strings or bytes; nothing here touches the real file system.
import type { FileStat, ReadOnlyFs, ReadResult } from './fs.js';
import { DEFAULT_MAX_FILE_BYTES, joinPath, splitPath, walkPath, type WalkOps } from './fs-paths.js';

interface Meta {
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Reading (file) or listing (directory) fails with "unreadable". */
  readonly unreadable?: boolean;
  readonly mtimeMs?: number;
}

export type MemoryEntry =
  | string // a file whose content is this byte string (latin1: one char per byte)
  | Uint8Array
  | ({ readonly kind?: 'file'; readonly content: string | Uint8Array } & Meta)
  | ({ readonly kind: 'dir' } & Meta)
  | ({ readonly kind: 'symlink'; readonly target: string } & Meta);

/** Absolute path -> entry. */
export type MemoryFsSpec = Readonly<Record<string, MemoryEntry>>;

type Node =
  | { kind: 'file'; bytes: Uint8Array; meta: Meta }
  | { kind: 'dir'; children: Set<string>; meta: Meta }
  | { kind: 'symlink'; target: string; meta: Meta };

export function memoryFs(spec: MemoryFsSpec, label = 'memory'): ReadOnlyFs {
  const nodes = new Map<string, Node>();
  nodes.set('/', { kind: 'dir', children: new Set(), meta: {} });
  const ensureDir = (path: string): void => {
    const parts = splitPath(path);
    for (let i = 1; i <= parts.length; i++) {
      const p = joinPath(parts.slice(0, i));
      const parent = joinPath(parts.slice(0, i - 1));
      const pn = nodes.get(parent);
      if (pn?.kind === 'dir') pn.children.add(parts[i - 1]!);
      if (!nodes.has(p)) nodes.set(p, { kind: 'dir', children: new Set(), meta: {} });
    }
  };
  for (const [rawPath, entry] of Object.entries(spec)) {
    const parts = splitPath(rawPath);
    const path = joinPath(parts);
    ensureDir(joinPath(parts.slice(0, -1)));
    const parent = nodes.get(joinPath(parts.slice(0, -1)));
    if (parent?.kind === 'dir' && parts.length > 0) parent.children.add(parts[parts.length - 1]!);
    let node: Node;
    if (typeof entry === 'string') node = { kind: 'file', bytes: Buffer.from(entry, 'latin1'), meta: {} };
    else if (entry instanceof Uint8Array) node = { kind: 'file', bytes: entry, meta: {} };
    else if (entry.kind === 'dir') {
      const old = nodes.get(path);
      node = { kind: 'dir', children: old?.kind === 'dir' ? old.children : new Set(), meta: entry };
    } else if (entry.kind === 'symlink') node = { kind: 'symlink', target: entry.target, meta: entry };
    else node = { kind: 'file', bytes: typeof entry.content === 'string' ? Buffer.from(entry.content, 'latin1') : entry.content, meta: entry };
    if (path === '/' && node.kind !== 'dir') continue;
    const existing = nodes.get(path);
    if (existing?.kind === 'dir' && node.kind === 'dir') node.children = existing.children;
    nodes.set(path, node);
  }

  const ops: WalkOps = {
    async lookup(p) {
      const n = nodes.get(p);
      if (n === undefined) return undefined;
      if (n.kind === 'symlink') return { kind: 'symlink', target: n.target };
      return n.kind === 'dir' ? { kind: 'dir' } : { kind: 'other' };
    },
  };
  const resolve = async (path: string, followLast: boolean): Promise<{ path: string; node: Node } | undefined> => {
    const r = await walkPath(ops, path, followLast);
    if (!r.ok) return undefined;
    const node = nodes.get(r.path);
    return node === undefined ? undefined : { path: r.path, node };
  };
  const statOf = (node: Node): FileStat => ({
    kind: node.kind === 'dir' ? 'directory' : node.kind,
    size: node.kind === 'file' ? node.bytes.byteLength : node.kind === 'symlink' ? node.target.length : 4096,
    mode: (node.meta.mode ?? (node.kind === 'dir' ? 0o755 : node.kind === 'symlink' ? 0o777 : 0o644)) & 0o7777,
    uid: node.meta.uid ?? 0,
    gid: node.meta.gid ?? 0,
    mtimeMs: node.meta.mtimeMs ?? 0,
  });

  return {
    label,
    async readFile(path, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<ReadResult> {
      const r = await resolve(path, true);
      if (r === undefined) return { ok: false, reason: 'missing', detail: `${path}: no such file or directory` };
      if (r.node.kind !== 'file') return { ok: false, reason: 'not-a-file', detail: `${path}: is a directory` };
      if (r.node.meta.unreadable) return { ok: false, reason: 'unreadable', detail: `${path}: permission denied` };
      if (r.node.bytes.byteLength > maxBytes) {
        return { ok: false, reason: 'too-large', detail: `${path}: ${r.node.bytes.byteLength} bytes, over the ${maxBytes}-byte limit` };
      }
      return { ok: true, bytes: r.node.bytes };
    },
    async readDir(path) {
      const r = await resolve(path, true);
      if (r === undefined || r.node.kind !== 'dir' || r.node.meta.unreadable) return undefined;
      return [...r.node.children];
    },
    async lstat(path) {
      const r = await resolve(path, false);
      return r === undefined ? undefined : statOf(r.node);
    },
    async stat(path) {
      const r = await resolve(path, true);
      return r === undefined ? undefined : statOf(r.node);
    },
    async readLink(path) {
      const r = await resolve(path, false);
      return r?.node.kind === 'symlink' ? r.node.target : undefined;
    },
    async realPath(path) {
      const r = await resolve(path, true);
      return r?.path;
    },
  };
}
