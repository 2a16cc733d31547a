// The plan `sshield keys restrict|unrestrict` hands to the pipeline: kind keys, nothing of the sshd
// config (so no sshd -t, no reload, no verify), and the pure check that an edit keeps the keys
// and their order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keysPlan, sameKeys } from '../../../src/keys/change-plan.js';
import { touchesSshdConfig } from '../../../src/apply/pipeline.js';
import { sha256, type FileChange } from '../../../src/apply/plan.js';

const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F one';
const ED2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVzV7b3uYd0n8m5H4mI9o3l7C8p0QJqf0l1zvQ5bqYQ two';

function fileChange(before: string, after: string): FileChange {
  const path = '/etc/pve/priv/authorized_keys';
  return { path, hostPath: `/mnt/pve${path}`, action: 'write', beforeSha256: sha256(before), before, after, edits: [], diff: '', newFileMode: 0o600, reasons: ['keys restrict root: line 1'] };
}

test('keysPlan: kind keys, no tree, nothing to reload or verify, so the pipeline runs no sshd -t', () => {
  const p = keysPlan('/mnt/pve', [fileChange(`${ED1}\n`, `restrict ${ED1}\n`)]);
  assert.equal(p.kind, 'keys');
  assert.equal(p.configPath, '/etc/ssh/sshd_config');
  assert.equal(p.root, '/mnt/pve');
  assert.deepEqual(p.tree, []);
  assert.equal(p.reload.kind, 'none');
  assert.equal(p.verify, undefined);
  assert.equal(touchesSshdConfig(p), false);
  assert.equal('root' in keysPlan(undefined, []), false);
});

test('sameKeys: options edits pass; a dropped, added or reordered key is caught', () => {
  assert.equal(sameKeys(`# c\n${ED1}\n${ED2}\n`, `# c\nrestrict ${ED1}\nno-pty ${ED2}\n`, 'f'), undefined);
  assert.match(sameKeys(`${ED1}\n${ED2}\n`, `${ED1}\n`, 'f') ?? '', /f does not hold the same keys in the same order/);
  assert.match(sameKeys(`${ED1}\n`, `${ED1}\n${ED2}\n`, 'f') ?? '', /same keys/);
  assert.match(sameKeys(`${ED1}\n${ED2}\n`, `${ED2}\n${ED1}\n`, 'f') ?? '', /same order/);
  // An option edit that breaks the key's parse (the line would no longer be a key) is caught too.
  assert.match(sameKeys(`${ED1}\n`, `restrict,${ED1}\n`, 'f') ?? '', /same keys/);
});
