// A Proxmox VE-like cluster on test hosts (test-hosts.ts): nodes pve1..pveN, each a real sshd on
// its own 127.0.1.x in its own mount namespace running the node's OWN sshd_config (ownDaemon: a
// change sshield makes there governs the node's real sshd), built the way pve-cluster sets a cluster up
// (src/PVE/Cluster/Setup.pm @004742c3; shared/research/proxmox-cves.md §1.3):
// - one SHARED /etc/pve (pmxcfs stands in as one directory bound into every node): corosync.conf with
//   each node's ring0_addr = its address, .members (pmxcfs's node list with the IPs PVE's ssh
//   uses; a virtual file of pmxcfs that names each node itself as "nodename", so every node gets
//   its own copy bound over it), priv/authorized_keys (every node's cluster key and the admin's, 0600),
//   priv/known_hosts (the legacy merged file: "<node> <rsa key>" and "<ip> <rsa key>") and
//   nodes/<node>/ssh_known_hosts (the pinned "<node> ssh-rsa <key>", pve-cluster 8.0.6+);
// - per node: host keys of its own (RSA, which PVE pins, and ed25519), root's cluster key
//   /root/.ssh/id_rsa (RSA 4096: setup_rootsshconfig's `ssh-keygen -t rsa -N '' -b 4096`), root's
//   ssh_config with PVE's Ciphers line, /root/.ssh/authorized_keys -> /etc/pve/priv/authorized_keys
//   and /etc/ssh/ssh_known_hosts -> /etc/pve/priv/known_hosts (setup_ssh_keys,
//   ssh_merge_known_hosts), /etc/hostname and its own /etc/hosts line (the PVE installer's);
// - PVE's default sshd_config (examples/pve-cluster-node: PermitRootLogin yes, UsePAM yes) and the
//   admin the proxmox profile expects besides root: `ops` (in the example's sudo group) with the
//   controller's key and NOPASSWD sudo (test-hosts.ts sudoAdmin), so a PVE-aware harden (root only
//   from the cluster nodes) keeps the admin; the controller may also log in as root until then.
// Two stand-ins for what this one machine cannot give the nodes, in root's ssh_config (every
// client run as root on the node reads it, PVE's ssh too): `Port` (the test hosts share one free
// port instead of 22) and `BindAddress` (all test hosts share one network namespace, where a
// connection to 127.0.1.x leaves from 127.0.0.1: a node's own address as the source stands in for
// its routing). `connectsFrom` gives a node another source address: a cluster whose files name an
// address the node does not connect from.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestFleet, type TestFleet, type TestHostSpec } from './test-hosts.js';

export interface PveClusterOptions {
  /** Node names (default pve1, pve2, pve3). */
  readonly nodes?: readonly string[];
  readonly clusterName?: string;
  /** A node's outgoing source address instead of its own (node name -> an unused loopback address, e.g. 127.0.2.x). */
  readonly connectsFrom?: Readonly<Record<string, string>>;
}

export interface PveNodeInfo {
  readonly name: string;
  readonly address: string;
  /** The node's root directory (its /etc, /root...). */
  readonly dir: string;
}

export interface PveCluster {
  readonly fleet: TestFleet;
  readonly nodes: readonly PveNodeInfo[];
  /** The shared /etc/pve. */
  readonly pveDir: string;
  stop(): Promise<void>;
}

function sh(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => execFile(cmd, args, { timeout: 120_000 }, (e, _o, err) => (e ? rej(new Error(`${cmd} ${args.join(' ')}: ${err || e.message}`)) : res())));
}

interface NodeKeys {
  readonly hostRsa: string;
  readonly hostEd25519: string;
  readonly rootRsa: string;
}

/** Every node's keys, made at once (RSA 4096 is the slow part). */
async function makeKeys(dir: string, names: readonly string[]): Promise<Map<string, NodeKeys>> {
  const out = new Map<string, NodeKeys>();
  await Promise.all(
    names.map(async (n) => {
      const k = { hostRsa: join(dir, `${n}_host_rsa`), hostEd25519: join(dir, `${n}_host_ed25519`), rootRsa: join(dir, `${n}_root_rsa`) };
      await Promise.all([
        sh('ssh-keygen', ['-q', '-N', '', '-t', 'rsa', '-b', '3072', '-C', `root@${n}`, '-f', k.hostRsa]),
        sh('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-C', `root@${n}`, '-f', k.hostEd25519]),
        sh('ssh-keygen', ['-q', '-N', '', '-t', 'rsa', '-b', '4096', '-C', `root@${n}`, '-f', k.rootRsa]),
      ]);
      out.set(n, k);
    }),
  );
  return out;
}

const pub = (f: string) => readFileSync(`${f}.pub`, 'utf8').trim();
const keyPart = (f: string) => pub(f).split(/\s+/).slice(0, 2).join(' ');

/** pmxcfs's /etc/pve/.members as `node` sees it. */
function membersOf(node: string, o: { names: readonly string[]; addressOf: (n: string) => string; clusterName: string }): string {
  const list = o.names.map((n, i) => `  "${n}": { "id": ${i + 1}, "online": 1, "ip": "${o.addressOf(n)}"}`).join(',\n');
  return `{\n"nodename": "${node}",\n"version": ${o.names.length + 4},\n"cluster": { "name": "${o.clusterName}", "version": ${o.names.length}, "nodes": ${o.names.length}, "quorate": 1 },\n"nodelist": {\n${list}\n  }\n}\n`;
}

/** The shared /etc/pve, written once every address is known. */
function writeSharedPve(pveDir: string, o: { names: readonly string[]; addressOf: (n: string) => string; keys: Map<string, NodeKeys>; clusterName: string }): void {
  const { names, addressOf, keys } = o;
  const nodes = names.map((n, i) => `  node {\n    name: ${n}\n    nodeid: ${i + 1}\n    quorum_votes: 1\n    ring0_addr: ${addressOf(n)}\n  }\n`).join('');
  writeFileSync(join(pveDir, 'corosync.conf'), `logging {\n  debug: off\n  to_syslog: yes\n}\n\nnodelist {\n${nodes}}\n\nquorum {\n  provider: corosync_votequorum\n}\n\ntotem {\n  cluster_name: ${o.clusterName}\n  config_version: ${names.length}\n  interface {\n    linknumber: 0\n  }\n  ip_version: ipv4-6\n  link_mode: passive\n  secauth: on\n  version: 2\n}\n`);
  writeFileSync(join(pveDir, '.members'), membersOf(names[0]!, o));
  mkdirSync(join(pveDir, 'priv'), { mode: 0o700 });
  // The admin's key is added by test-hosts.ts (ownDaemon follows root's symlink into the bind).
  writeFileSync(join(pveDir, 'priv', 'authorized_keys'), `${names.map((n) => pub(keys.get(n)!.rootRsa)).join('\n')}\n`, { mode: 0o600 });
  writeFileSync(join(pveDir, 'priv', 'known_hosts'), names.flatMap((n) => [`${n} ${keyPart(keys.get(n)!.hostRsa)}`, `${addressOf(n)} ${keyPart(keys.get(n)!.hostRsa)}`]).join('\n') + '\n', { mode: 0o600 });
  for (const n of names) {
    mkdirSync(join(pveDir, 'nodes', n), { recursive: true });
    writeFileSync(join(pveDir, 'nodes', n, 'ssh_known_hosts'), `${n} ${keyPart(keys.get(n)!.hostRsa)}`);
  }
}

/** One node's own files in its host directory (a copy of examples/pve-cluster-node). */
function setupNode(dir: string, o: { name: string; address: string; source: string; port: number; keys: NodeKeys }): void {
  rmSync(join(dir, 'etc/ssh/sshd_config.d/10-pve-harden.conf'));
  for (const t of ['rsa', 'ecdsa', 'ed25519']) rmSync(join(dir, `etc/ssh/ssh_host_${t}_key.pub`), { force: true });
  for (const [k, t] of [[o.keys.hostRsa, 'rsa'], [o.keys.hostEd25519, 'ed25519']] as const) {
    writeFileSync(join(dir, `etc/ssh/ssh_host_${t}_key`), readFileSync(k), { mode: 0o600 });
    writeFileSync(join(dir, `etc/ssh/ssh_host_${t}_key.pub`), readFileSync(`${k}.pub`), { mode: 0o644 });
  }
  // The mount point of the shared /etc/pve (empty underneath, as under a FUSE mount), with a
  // placeholder where the node's own .members is bound (test-hosts.ts makes a missing one a directory).
  rmSync(join(dir, 'etc/pve'), { recursive: true });
  mkdirSync(join(dir, 'etc/pve'), { mode: 0o755 });
  writeFileSync(join(dir, 'etc/pve/.members'), '');
  symlinkSync('/etc/pve/priv/known_hosts', join(dir, 'etc/ssh/ssh_known_hosts'));
  const ssh = join(dir, 'root/.ssh');
  chmodSync(ssh, 0o700);
  writeFileSync(join(ssh, 'id_rsa'), readFileSync(o.keys.rootRsa), { mode: 0o600 });
  writeFileSync(join(ssh, 'id_rsa.pub'), readFileSync(`${o.keys.rootRsa}.pub`), { mode: 0o644 });
  const ciphers = readFileSync(join(ssh, 'config'), 'utf8');
  writeFileSync(join(ssh, 'config'), `${ciphers.trimEnd()}\n    # Test stand-ins (test/helpers/pve-cluster.ts): port 22 and this node's routing.\n    Port ${o.port}\n    BindAddress ${o.source}\n`, { mode: 0o640 });
  writeFileSync(join(dir, 'etc/hostname'), `${o.name}\n`);
  writeFileSync(join(dir, 'etc/hosts'), `127.0.0.1 localhost.localdomain localhost\n${o.address} ${o.name}.pve.test ${o.name}\n\n::1     ip6-localhost ip6-loopback\n`);
}

export async function startPveCluster(o: PveClusterOptions = {}): Promise<PveCluster> {
  const names = o.nodes ?? ['pve1', 'pve2', 'pve3'];
  const work = mkdtempSync(join(tmpdir(), 'sshield-pve-'));
  chmodSync(work, 0o755);
  const pveDir = join(work, 'pve');
  mkdirSync(pveDir, { mode: 0o755 });
  let fleet: TestFleet | undefined;
  try {
    const keys = await makeKeys(work, names);
    let shared = false;
    const specs: TestHostSpec[] = names.map((name) => ({
      name,
      example: 'pve-cluster-node',
      setup: (dir, ctx) => {
        const view = { names, addressOf: ctx.addressOf, clusterName: o.clusterName ?? 'testlab' };
        if (!shared) {
          writeSharedPve(pveDir, { ...view, keys });
          shared = true;
        }
        writeFileSync(join(work, `members-${name}`), membersOf(name, view));
        const from = o.connectsFrom?.[name];
        setupNode(dir, { name, address: ctx.address, source: from ?? ctx.address, port: ctx.port, keys: keys.get(name)! });
      },
      ownDaemon: true,
      binds: { '/etc/pve': pveDir, '/etc/pve/.members': join(work, `members-${name}`) },
      sudoAdmin: 'ops',
    }));
    fleet = await startTestFleet(specs);
    const f = fleet;
    return {
      fleet: f,
      nodes: f.hosts.map((h) => ({ name: h.name, address: h.address, dir: h.dir })),
      pveDir,
      stop: async () => {
        await f.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await fleet?.stop();
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}
