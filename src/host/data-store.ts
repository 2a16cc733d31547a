// Where sshield keeps the vulnerability data `sshield data update` refreshed, on the machine that
// runs sshield (not the audited host): DIR/openssh-vulns.json with the previous copy kept as
// DIR/openssh-vulns.prev.json. DIR is $SSHIELD_DATA_DIR, else /var/lib/sshield. Writes are
// atomic (temp file in DIR, fsync, rename) and keep the previous copy; a missing DIR is created
// 0755. Also the one place that fetches a source over HTTP(S) (plain GET, 60 s, 64 MiB cap).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, copyFileSync, existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_DATA_DIR = '/var/lib/sshield';
export const DATA_FILE = 'openssh-vulns.json';
export const PREV_FILE = 'openssh-vulns.prev.json';
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

export function dataDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.SSHIELD_DATA_DIR && env.SSHIELD_DATA_DIR.startsWith('/') ? env.SSHIELD_DATA_DIR : DEFAULT_DATA_DIR;
}

/** The stored copy's text, or undefined when there is none. */
export function readStoredData(dir: string): string | undefined {
  const p = join(dir, DATA_FILE);
  if (!existsSync(p)) return undefined;
  return readFileSync(p, 'utf8');
}

/** Writes the new copy atomically; the copy it replaces becomes PREV_FILE. */
export function writeStoredData(dir: string, text: string): { path: string; previous?: string } {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, DATA_FILE);
  const tmp = join(dir, `.${DATA_FILE}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let previous: string | undefined;
  try {
    if (existsSync(path)) {
      previous = join(dir, PREV_FILE);
      copyFileSync(path, previous);
    }
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
  return { path, ...(previous ? { previous } : {}) };
}

/** Reads a source: a local file path, or an http(s) URL. */
export async function readSource(from: string): Promise<string> {
  if (!/^https?:\/\//.test(from)) return readFileSync(from.replace(/^file:\/\//, ''), 'utf8');
  const res = await fetch(from, { signal: AbortSignal.timeout(60_000), redirect: 'follow' });
  if (!res.ok) throw new Error(`${from}: HTTP ${res.status}`);
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > MAX_SOURCE_BYTES) throw new Error(`${from}: ${len} bytes, over the ${MAX_SOURCE_BYTES} limit`);
  const text = await res.text();
  if (text.length > MAX_SOURCE_BYTES) throw new Error(`${from}: over the ${MAX_SOURCE_BYTES} limit`);
  return text;
}
