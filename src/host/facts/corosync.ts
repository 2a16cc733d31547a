// corosync.conf(5): nested sections `name {` ... `}` holding `key: value` lines, '#' comments.
// Pure parser into a generic tree, plus the cluster view sshield needs: cluster_name (totem)
// and nodelist.node entries (name, nodeid, ring0_addr..ringN_addr, quorum_votes). PVE keeps the
// file at /etc/pve/corosync.conf (pmxcfs) and /etc/corosync/corosync.conf; ringX_addr may be
// an IPv4/IPv6 address or a host name (pvecm.adoc "Adding Nodes with Separated Cluster Network").
// Problems are collected (line + message), never thrown.

export interface CorosyncSection {
  readonly name: string;
  readonly line: number;
  readonly values: ReadonlyArray<{ readonly key: string; readonly value: string; readonly line: number }>;
  readonly sections: readonly CorosyncSection[];
}

export interface CorosyncNode {
  readonly name?: string;
  readonly nodeid?: number;
  /** ring0_addr, ring1_addr, ... in ring order. */
  readonly addresses: readonly string[];
  readonly quorumVotes?: number;
}

export interface CorosyncCluster {
  readonly clusterName?: string;
  readonly nodes: readonly CorosyncNode[];
  readonly configVersion?: number;
  readonly problems: ReadonlyArray<{ readonly line: number; readonly message: string }>;
}

interface MutableSection {
  name: string;
  line: number;
  values: { key: string; value: string; line: number }[];
  sections: MutableSection[];
}

export function parseCorosyncTree(text: string): { root: CorosyncSection; problems: { line: number; message: string }[] } {
  const root: MutableSection = { name: '', line: 0, values: [], sections: [] };
  const stack: MutableSection[] = [root];
  const problems: { line: number; message: string }[] = [];
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const n = i + 1;
    let l = all[i]!.replace(/\r$/, '');
    const hash = l.indexOf('#');
    if (hash >= 0 && l.slice(0, hash).trim() === '') continue;
    l = l.trim();
    if (l === '') continue;
    const top = stack[stack.length - 1]!;
    const open = /^([^\s{:}]+)\s*\{\s*(.*)$/.exec(l);
    if (open) {
      const s: MutableSection = { name: open[1]!, line: n, values: [], sections: [] };
      top.sections.push(s);
      stack.push(s);
      if (open[2] === '}') stack.pop();
      else if (open[2]) problems.push({ line: n, message: `unexpected text after '{': ${open[2]}` });
      continue;
    }
    if (l === '}') {
      if (stack.length > 1) stack.pop();
      else problems.push({ line: n, message: "unbalanced '}'" });
      continue;
    }
    const kv = /^([^\s:{}]+)\s*:\s*(.*)$/.exec(l);
    if (kv) {
      top.values.push({ key: kv[1]!, value: kv[2]!.trim(), line: n });
      continue;
    }
    problems.push({ line: n, message: `unrecognised line: ${l}` });
  }
  if (stack.length > 1) problems.push({ line: all.length, message: `section '${stack[stack.length - 1]!.name}' is not closed` });
  return { root, problems };
}

const get = (s: CorosyncSection, key: string): string | undefined => s.values.find((v) => v.key === key)?.value;
const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

export function parseCorosyncConf(text: string): CorosyncCluster {
  const { root, problems } = parseCorosyncTree(text);
  const totem = root.sections.find((s) => s.name === 'totem');
  const nodes: CorosyncNode[] = [];
  for (const nl of root.sections.filter((s) => s.name === 'nodelist')) {
    for (const node of nl.sections.filter((s) => s.name === 'node')) {
      const rings = node.values
        .map((v) => ({ m: /^ring(\d+)_addr$/.exec(v.key), v: v.value }))
        .filter((x) => x.m)
        .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
        .map((x) => x.v);
      const name = get(node, 'name');
      const nodeid = num(get(node, 'nodeid'));
      const qv = num(get(node, 'quorum_votes'));
      nodes.push({
        addresses: rings,
        ...(name !== undefined ? { name } : {}),
        ...(nodeid !== undefined ? { nodeid } : {}),
        ...(qv !== undefined ? { quorumVotes: qv } : {}),
      });
    }
  }
  const clusterName = totem ? get(totem, 'cluster_name') : undefined;
  const configVersion = totem ? num(get(totem, 'config_version')) : undefined;
  return {
    nodes,
    problems,
    ...(clusterName !== undefined ? { clusterName } : {}),
    ...(configVersion !== undefined ? { configVersion } : {}),
  };
}
