// RuleTester: runs one rule over exact config text through the real pipeline (memory fs ->
// loadConfigTree -> evaluateEffective per connection spec -> facts) and asserts the status,
// message and locations of table-driven cases, ESLint-style. Used by test/unit/rules (a test helper, not part of src/rules).
import assert from 'node:assert/strict';
import { memoryFs, type MemoryFsSpec } from '../../src/host/memory-fs.js';
import { offlineExecutor } from '../../src/host/executor.js';
import { gatherAudit } from '../../src/audit/gather.js';
import { runRule, type RuleResult } from '../../src/rules/define-rule.js';
import { getRule } from '../../src/rules/registry.js';
import type { OptionValues, Status } from '../../src/rules/types.js';

export const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\nsftp1:x:1001:1001::/home/sftp1:/bin/bash\nsftp2:x:1002:1002::/home/sftp2:/usr/sbin/nologin\n';
export const GROUP = 'root:x:0:\nsudo:x:27:alice\nalice:x:1000:\nsftp1:x:1001:\nsftp2:x:1002:\nsftponly:x:2000:sftp1,sftp2\n';

export function dpkgStatus(version: string): string {
  return `Package: openssh-server\nStatus: install ok installed\nVersion: ${version}\n\n`;
}

export interface Case {
  /** The main sshd_config text; more files in `files`. */
  readonly config: string;
  readonly files?: MemoryFsSpec;
  readonly options?: OptionValues;
  readonly pveAware?: boolean;
  /** Package version, default Debian 12's newest. */
  readonly openssh?: string;
  readonly status: Status;
  /** Substring or pattern the result message must contain. */
  readonly message?: string | RegExp;
  /** "file:line" of every expected location, in order. */
  readonly locations?: readonly string[];
  readonly name?: string;
}

export async function runOnFiles(ruleId: string, c: Omit<Case, 'status'>): Promise<RuleResult> {
  const rule = getRule(ruleId);
  if (!rule) throw new Error(`unknown rule ${ruleId}`);
  const debian13 = (c.openssh ?? '').includes('deb13');
  const fs = memoryFs({
    '/etc/ssh/sshd_config': c.config,
    '/etc/passwd': PASSWD,
    '/etc/group': GROUP,
    '/etc/os-release': debian13 ? 'ID=debian\nVERSION_ID="13"\nPRETTY_NAME="Debian GNU/Linux 13 (trixie)"\n' : 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    '/var/lib/dpkg/status': dpkgStatus(c.openssh ?? '1:9.2p1-2+deb12u10'),
    ...(c.files ?? {}),
  });
  const a = await gatherAudit(offlineExecutor(fs, 'memory'), { admin: 'alice' });
  return runRule(rule, a.input, { ...(c.options ? { options: c.options } : {}), pveAware: c.pveAware ?? false });
}

export async function checkCase(ruleId: string, c: Case): Promise<void> {
  const r = await runOnFiles(ruleId, c);
  const show = `${c.name ?? c.config}\n=> ${r.status}: ${r.message}`;
  assert.equal(r.status, c.status, show);
  if (c.message !== undefined) {
    if (typeof c.message === 'string') assert.ok(r.message.includes(c.message), `message should contain ${JSON.stringify(c.message)}\n${show}`);
    else assert.match(r.message, c.message, show);
  }
  if (c.locations) assert.deepEqual(r.locations.map((l) => `${l.file}:${l.line}`), c.locations, show);
}
