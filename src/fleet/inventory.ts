// Inventories for --inventory FILE: a plain list (one [user@]host[:port] per line), Ansible's INI
// format ([group], [group:children], [group:vars], `name[:port] key=value ...`, host ranges like
// web[01:20]) and Ansible's YAML format (all/hosts/children/vars). What sshield reads of the
// variables: ansible_host, ansible_user, ansible_port (and their old ansible_ssh_* names); the
// rest is ignored. Group variables apply from the outermost group in, host variables last
// (Ansible's precedence, group priority not modelled). Pure: text in, targets or errors with
// file:line out; bounded (size, hosts, range expansion, nesting) so a hostile file cannot blow up.
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { parseHostSpec, parsePort, validAddress, validUser, type FleetTarget } from './target.js';

export const MAX_INVENTORY_BYTES = 4 << 20;
export const MAX_INVENTORY_HOSTS = 10_000;

export interface InventoryError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export type InventoryResult = { readonly ok: true; readonly targets: FleetTarget[]; readonly groups: ReadonlySet<string> } | { readonly ok: false; readonly errors: InventoryError[] };

type Vars = Map<string, string>;
interface HostEntry {
  readonly vars: Vars;
  line: number;
  spec?: { user?: string; port?: number };
}
interface Group {
  readonly hosts: Map<string, HostEntry>;
  readonly children: Set<string>;
  readonly vars: Vars;
}

class Builder {
  readonly groups = new Map<string, Group>();
  readonly order: string[] = [];
  readonly errors: InventoryError[] = [];
  constructor(readonly file: string) {}
  group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { hosts: new Map(), children: new Set(), vars: new Map() }));
    return g;
  }
  error(line: number, message: string): void {
    if (this.errors.length < 50) this.errors.push({ file: this.file, line, message });
  }
  addHost(group: string, name: string, line: number, vars: Vars, spec?: HostEntry['spec']): void {
    if (!this.order.includes(name)) {
      if (this.order.length >= MAX_INVENTORY_HOSTS) return this.error(line, `more than ${MAX_INVENTORY_HOSTS} hosts`);
      this.order.push(name);
    }
    const g = this.group(group);
    const e: HostEntry = g.hosts.get(name) ?? { vars: new Map(), line };
    for (const [k, v] of vars) e.vars.set(k, v);
    if (spec) e.spec = { ...e.spec, ...spec };
    g.hosts.set(name, e);
  }
}

/** `web[01:03].x` -> web01.x web02.x web03.x; `[a:c]` letters; `[0:10:5]` a stride. */
export function expandHostRange(pattern: string, limit = MAX_INVENTORY_HOSTS): string[] | string {
  const m = /^(.*?)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::(\d+))?\](.*)$/.exec(pattern);
  if (!m) return [pattern];
  const [, head, a, b, strideText, tail] = m as unknown as [string, string, string, string, string | undefined, string];
  const stride = strideText ? Number(strideText) : 1;
  if (!(stride >= 1)) return `bad range stride in "${pattern}"`;
  const rest = expandHostRange(tail, limit);
  if (typeof rest === 'string') return rest;
  const items: string[] = [];
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const from = Number(a);
    const to = Number(b);
    if (to < from) return `range [${a}:${b}] goes backwards in "${pattern}"`;
    if ((to - from) / stride + 1 > limit) return `range in "${pattern}" is larger than ${limit} hosts`;
    const width = a.startsWith('0') && a.length > 1 ? a.length : 0;
    for (let i = from; i <= to; i += stride) items.push(String(i).padStart(width, '0'));
  } else if (/^[a-z]$/.test(a) && /^[a-z]$/.test(b)) {
    for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c += stride) items.push(String.fromCharCode(c));
  } else return `bad range [${a}:${b}] in "${pattern}"`;
  if (items.length * rest.length > limit) return `range in "${pattern}" is larger than ${limit} hosts`;
  return items.flatMap((i) => rest.map((r) => `${head}${i}${r}`));
}

/** `key=value key2="quoted value"` (shlex-like, as Ansible's INI plugin splits host lines). */
function splitWords(text: string): string[] | undefined {
  const out: string[] = [];
  const re = /\s*(?:([^\s"']+)|"((?:[^"\\]|\\.)*)"|'([^']*)')+/gy;
  let pos = 0;
  text = text.trim();
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m.index !== pos) return undefined;
    out.push(m[0].trim().replace(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g, (_, d: string | undefined, s: string | undefined) => (d !== undefined ? d.replace(/\\(.)/g, '$1') : s ?? '')));
    pos = re.lastIndex;
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  }
  return out;
}

function parseVarsWords(b: Builder, line: number, words: readonly string[]): Vars {
  const vars: Vars = new Map();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) {
      b.error(line, `expected key=value, got "${w}"`);
      continue;
    }
    vars.set(w.slice(0, eq), w.slice(eq + 1));
  }
  return vars;
}

function parseIni(b: Builder, text: string): void {
  let section: { group: string; kind: 'hosts' | 'children' | 'vars' } = { group: 'ungrouped', kind: 'hosts' };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.replace(/^\s+/, '');
    if (t === '' || t.startsWith('#') || t.startsWith(';')) return;
    const content = t.replace(/\s+[#;].*$/, '').trimEnd();
    const head = /^\[([^\]:\s]+)(?::(children|vars))?\]$/.exec(content);
    if (head) {
      section = { group: head[1]!, kind: (head[2] as 'children' | 'vars' | undefined) ?? 'hosts' };
      b.group(section.group);
      return;
    }
    if (content.startsWith('[')) return b.error(line, `bad section header "${content}" (expected [group], [group:children] or [group:vars])`);
    if (section.kind === 'children') {
      if (!/^[A-Za-z0-9_.-]+$/.test(content)) return b.error(line, `bad group name "${content}"`);
      b.group(section.group).children.add(content);
      b.group(content);
      return;
    }
    const words = splitWords(content);
    if (!words || words.length === 0) return b.error(line, 'unbalanced quotes');
    if (section.kind === 'vars') {
      const eq = content.indexOf('=');
      if (eq <= 0) return b.error(line, `expected key=value in [${section.group}:vars]`);
      b.group(section.group).vars.set(content.slice(0, eq).trim(), content.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2'));
      return;
    }
    const [first, ...rest] = words as [string, ...string[]];
    const vars = parseVarsWords(b, line, rest);
    // A plain list's `user@host:port`, or Ansible's `name[:port]` (ranges allowed in the name).
    if (first.includes('@') || /^\[[0-9A-Fa-f:.]+\]/.test(first)) {
      const p = parseHostSpec(first, `${b.file}:${line}`);
      if (!p.ok) return b.error(line, p.message.slice(p.message.indexOf(': ') + 2));
      b.addHost(section.group, p.value.address, line, vars, { ...(p.value.user ? { user: p.value.user } : {}), ...(p.value.port ? { port: p.value.port } : {}) });
      return;
    }
    const pm = /^(.*?)(?::(\d+))?$/.exec(first)!;
    const names = expandHostRange(pm[1]!);
    if (typeof names === 'string') return b.error(line, names);
    let spec: HostEntry['spec'];
    if (pm[2] !== undefined) {
      const port = parsePort(pm[2]);
      if (port === undefined) return b.error(line, `"${pm[2]}" is not a port (1-65535)`);
      spec = { port };
    }
    for (const n of names) {
      if (!validAddress(n)) {
        b.error(line, `"${n}" is not a valid host name`);
        continue;
      }
      b.addHost(section.group, n, line, vars, spec);
    }
  });
}

function yamlVars(node: unknown): Vars {
  const vars: Vars = new Map();
  if (isMap(node)) for (const p of node.items) if (isScalar(p.key)) vars.set(String(p.key.value), isScalar(p.value) ? String(p.value.value ?? '') : '');
  return vars;
}

function parseYaml(b: Builder, text: string): void {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const lineOf = (n: { range?: [number, number, number] | null } | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 1);
  for (const e of doc.errors) b.error(lc.linePos(e.pos[0]).line, e.message.split('\n')[0]!);
  if (doc.errors.length) return;
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return;
  if (!isMap(root)) return b.error(lineOf(root as YamlNode), 'a YAML inventory is a mapping of groups (all: {hosts: ..., children: ...})');
  const visit = (name: string, node: unknown, depth: number): void => {
    b.group(name);
    if (depth > 32) return b.error(lineOf(node as YamlNode), `groups nested deeper than 32 at "${name}"`);
    if (node === null || (isScalar(node) && node.value === null)) return;
    if (!isMap(node)) return b.error(lineOf(node as YamlNode), `group "${name}" must be a mapping with hosts, children or vars`);
    for (const p of node.items) {
      const key = isScalar(p.key) ? String(p.key.value) : '';
      const line = lineOf(p.key as YamlNode);
      if (key === 'hosts') {
        if (p.value === null || (isScalar(p.value) && p.value.value === null)) continue;
        if (!isMap(p.value)) {
          b.error(line, `hosts of "${name}" must be a mapping of host names`);
          continue;
        }
        for (const h of p.value.items) {
          const hn = isScalar(h.key) ? String(h.key.value) : '';
          const hl = lineOf(h.key as YamlNode);
          const pm = /^(.*?)(?::(\d+))?$/.exec(hn)!;
          const names = expandHostRange(pm[1]!);
          if (typeof names === 'string') {
            b.error(hl, names);
            continue;
          }
          const port = pm[2] !== undefined ? parsePort(pm[2]) : undefined;
          if (pm[2] !== undefined && port === undefined) {
            b.error(hl, `"${pm[2]}" is not a port (1-65535)`);
            continue;
          }
          if (h.value !== null && !isMap(h.value) && !(isScalar(h.value) && h.value.value === null)) b.error(hl, `host "${hn}": variables must be a mapping`);
          for (const n of names) {
            if (!validAddress(n)) b.error(hl, `"${n}" is not a valid host name`);
            else b.addHost(name, n, hl, yamlVars(h.value), port !== undefined ? { port } : undefined);
          }
        }
      } else if (key === 'children') {
        if (p.value === null || (isScalar(p.value) && p.value.value === null)) continue;
        if (!isMap(p.value)) {
          b.error(line, `children of "${name}" must be a mapping of group names`);
          continue;
        }
        for (const c of p.value.items) {
          const cn = isScalar(c.key) ? String(c.key.value) : '';
          if (!/^[A-Za-z0-9_.-]+$/.test(cn)) {
            b.error(lineOf(c.key as YamlNode), `bad group name "${cn}"`);
            continue;
          }
          b.group(name).children.add(cn);
          visit(cn, c.value, depth + 1);
        }
      } else if (key === 'vars') {
        for (const [k, v] of yamlVars(p.value)) b.group(name).vars.set(k, v);
      } else b.error(line, `unknown key "${key}" in group "${name}" (expected hosts, children or vars)`);
    }
  };
  for (const p of root.items) visit(isScalar(p.key) ? String(p.key.value) : '', p.value, 0);
}

/** Groups of each host, transitively, and each group's depth below its root (for var precedence). */
function resolve(b: Builder): InventoryResult {
  const parents = new Map<string, Set<string>>();
  for (const [g, grp] of b.groups) for (const c of grp.children) (parents.get(c) ?? parents.set(c, new Set()).get(c)!).add(g);
  const depth = new Map<string, number>();
  const depthOf = (g: string, seen: Set<string>): number => {
    const known = depth.get(g);
    if (known !== undefined) return known;
    if (seen.has(g)) return 0;
    seen.add(g);
    const ps = [...(parents.get(g) ?? [])];
    const d = ps.length ? 1 + Math.max(...ps.map((p) => depthOf(p, seen))) : g === 'all' ? 0 : 1;
    depth.set(g, d);
    return d;
  };
  const ancestors = (g: string): Set<string> => {
    const out = new Set<string>([g]);
    const stack = [g];
    while (stack.length) for (const p of parents.get(stack.pop()!) ?? []) if (!out.has(p)) (out.add(p), stack.push(p));
    return out;
  };
  const targets: FleetTarget[] = [];
  for (const name of b.order) {
    const member = new Set<string>(['all']);
    let line = Infinity;
    let spec: HostEntry['spec'] = {};
    const entries: Vars[] = [];
    for (const [g, grp] of b.groups) {
      const e = grp.hosts.get(name);
      if (!e) continue;
      for (const a of ancestors(g)) member.add(a);
      line = Math.min(line, e.line);
      spec = { ...spec, ...e.spec };
      entries.push(e.vars);
    }
    const groups = [...member].sort();
    const vars: Vars = new Map();
    const ordered = groups.filter((g) => b.groups.has(g)).sort((x, y) => depthOf(x, new Set()) - depthOf(y, new Set()) || (x < y ? -1 : x > y ? 1 : 0));
    for (const g of ordered) for (const [k, v] of b.groups.get(g)!.vars) vars.set(k, v);
    for (const e of entries) for (const [k, v] of e) vars.set(k, v);
    const get = (...keys: string[]) => keys.map((k) => vars.get(k)).find((v) => v !== undefined && v !== '');
    const address = get('ansible_host', 'ansible_ssh_host') ?? name;
    const user = get('ansible_user', 'ansible_ssh_user') ?? spec.user;
    const portText = get('ansible_port', 'ansible_ssh_port');
    const port = portText !== undefined ? parsePort(portText) : spec.port;
    const at = `${b.file}:${line}`;
    if (!validAddress(address)) b.error(line, `host "${name}": ansible_host "${address}" is not a host name or IP address`);
    else if (user !== undefined && !validUser(user)) b.error(line, `host "${name}": ansible_user "${user}" is not a valid user name`);
    else if (portText !== undefined && port === undefined) b.error(line, `host "${name}": ansible_port "${portText}" is not a port (1-65535)`);
    else targets.push({ name, address, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}), groups, source: at });
  }
  if (b.errors.length) return { ok: false, errors: b.errors };
  return { ok: true, targets, groups: new Set(['all', 'ungrouped', ...b.groups.keys()]) };
}

/** YAML when the name says so or the first meaningful line is a `key:` mapping; else INI / plain list. */
export function inventoryFormat(file: string, text: string): 'yaml' | 'ini' {
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  return first !== undefined && (/^---\s*$/.test(first) || /^[A-Za-z0-9_.-]+:\s*(?:#.*)?$/.test(first)) ? 'yaml' : 'ini';
}

export function parseInventory(text: string, file: string): InventoryResult {
  if (text.length > MAX_INVENTORY_BYTES) return { ok: false, errors: [{ file, line: 1, message: `larger than ${MAX_INVENTORY_BYTES} bytes` }] };
  if (text.includes('\0')) return { ok: false, errors: [{ file, line: text.slice(0, text.indexOf('\0')).split('\n').length, message: 'a NUL byte: not a text inventory' }] };
  const b = new Builder(file);
  if (inventoryFormat(file, text) === 'yaml') parseYaml(b, text);
  else parseIni(b, text);
  if (b.errors.length) return { ok: false, errors: b.errors };
  return resolve(b);
}
