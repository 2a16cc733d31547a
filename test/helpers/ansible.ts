// Runs Debian's ansible-playbook against test hosts (test/helpers/test-hosts.ts) with the
// repository's sshield.openssh collection: an INI inventory naming the hosts by their ssh_config
// aliases (ansible_ssh_common_args -F the fleet's ssh_config), every ANSIBLE_* directory (home,
// local and remote temp, control sockets) inside one temp directory, never ~/.ansible, and the
// test's JSON stdout callback (ansible-callback/) so a test reads each task's per-host result and the recap as data.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from './sshd.js';

const REPO = resolve(import.meta.dirname, '..', '..');
export const ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';
export const COLLECTIONS = join(REPO, 'ansible', 'collections');

export interface HostResult {
  readonly changed?: boolean;
  readonly failed?: boolean;
  readonly skipped?: boolean;
  readonly unreachable?: boolean;
  readonly msg?: string;
  readonly diff?: readonly { before?: string; after?: string; before_header?: string; after_header?: string }[];
  readonly [k: string]: unknown;
}

export interface PlaybookRun {
  readonly code: number | null;
  readonly stderr: string;
  readonly ms: number;
  /** Per task name: per host result. */
  readonly tasks: ReadonlyMap<string, Readonly<Record<string, HostResult>>>;
  /** The recap: per host ok/changed/failures/unreachable/skipped. */
  readonly stats: Readonly<Record<string, { ok: number; changed: number; failures: number; unreachable: number; skipped: number }>>;
  readonly raw: string;
}

/** Whether Debian's ansible-core is there. */
export function ansibleAvailable(): string | undefined {
  return existsSync(ANSIBLE_PLAYBOOK) ? undefined : `no ${ANSIBLE_PLAYBOOK} (apt-get install ansible-core)`;
}

export interface PlaybookOptions {
  readonly check?: boolean;
  readonly diff?: boolean;
  readonly limit?: string;
  readonly extraVars?: Record<string, unknown>;
  readonly timeoutMs?: number;
}

export interface AnsibleLab {
  readonly dir: string;
  readonly inventory: string;
  playbook(yaml: string, opts?: PlaybookOptions): Promise<PlaybookRun>;
  /** An existing playbook file (e.g. the repository's example). */
  runFile(file: string, opts?: PlaybookOptions): Promise<PlaybookRun>;
  cleanup(): Promise<void>;
}

/** A lab over the fleet's ssh_config: hosts are aliases there; vars per host optional. */
export function ansibleLab(sshConfig: string, hosts: readonly string[], vars: Readonly<Record<string, string>> = {}, opts: { readonly forks?: number } = {}): AnsibleLab {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-ansible-'));
  // Short: ssh's control socket path must fit in 108 bytes.
  const cp = mkdtempSync('/tmp/sa-cp-');
  for (const d of ['home', 'local']) mkdirSync(join(dir, d), { mode: 0o700 });
  // The targets share this machine's /tmp: a remote user other than root (become) makes its own
  // 0700 ansible-tmp-* directory here, as in /tmp (sticky, world-writable); nothing secret lives in dir.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'remote'));
  chmodSync(join(dir, 'remote'), 0o1777);
  const inventory = join(dir, 'inventory.ini');
  const allVars = { ansible_ssh_common_args: `-F ${sshConfig}`, ansible_python_interpreter: '/usr/bin/python3', ...vars };
  writeFileSync(inventory, ['[lab]', ...hosts, '', '[lab:vars]', ...Object.entries(allVars).map(([k, v]) => `${k}=${v.includes(' ') ? `'${v}'` : v}`), ''].join('\n'));
  writeFileSync(join(dir, 'ansible.cfg'), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    LC_ALL: 'C.UTF-8',
    ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
    ANSIBLE_HOME: join(dir, 'home'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'local'),
    ANSIBLE_REMOTE_TEMP: join(dir, 'remote'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
    ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=30s',
    ANSIBLE_COLLECTIONS_PATH: COLLECTIONS,
    ANSIBLE_COLLECTIONS_SCAN_SYS_PATH: 'false',
    ANSIBLE_STDOUT_CALLBACK: 'sshield_test_json',
    ANSIBLE_CALLBACK_PLUGINS: join(import.meta.dirname, 'ansible-callback'),
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORKS: String(opts.forks ?? 5),
    ANSIBLE_GATHERING: 'explicit',
    ANSIBLE_HOST_KEY_CHECKING: 'true',
    ANSIBLE_DEPRECATION_WARNINGS: 'false',
    ANSIBLE_TIMEOUT: '30',
  };
  let n = 0;
  return {
    dir,
    inventory,
    async playbook(yaml, opts = {}) {
      const file = join(dir, `play-${++n}.yml`);
      writeFileSync(file, yaml);
      return this.runFile(file, opts);
    },
    async runFile(file, opts = {}) {
      const args = ['-i', inventory, file];
      if (opts.check) args.push('--check');
      if (opts.diff) args.push('--diff');
      if (opts.limit) args.push('--limit', opts.limit);
      if (opts.extraVars) args.push('--extra-vars', JSON.stringify(opts.extraVars));
      const t = Date.now();
      const r = await run(ANSIBLE_PLAYBOOK, args, { env, timeoutMs: opts.timeoutMs ?? 300_000 });
      const ms = Date.now() - t;
      let doc: { plays: { tasks: { task: { name: string }; hosts: Record<string, HostResult> }[] }[]; stats: PlaybookRun['stats'] };
      try {
        doc = JSON.parse(r.stdout) as typeof doc;
      } catch {
        throw new Error(`ansible-playbook printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      }
      const tasks = new Map<string, Record<string, HostResult>>();
      for (const p of doc.plays) for (const t of p.tasks) tasks.set(t.task.name, { ...tasks.get(t.task.name), ...t.hosts });
      return { code: r.code, stderr: r.stderr, ms, tasks, stats: doc.stats, raw: r.stdout };
    },
    async cleanup() {
      // Ansible's ssh masters (ControlPersist) are told to exit, then their directory goes.
      for (const s of readdirSync(cp)) await run('ssh', ['-S', join(cp, s), '-O', 'exit', 'x'], { timeoutMs: 10_000 }).catch(() => undefined);
      rmSync(cp, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
