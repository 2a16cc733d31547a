// applyOwnership on a file system that refuses chown/chmod but already has the wanted owner and
// mode (pmxcfs: /etc/pve/priv/authorized_keys) is fine; a refusal that leaves it different is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { applyOwnership } from '../../../src/apply/atomic-write.js';

const eperm = () => Promise.reject(Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' }));
const handle = (st: { uid: number; gid: number; mode: number }) => ({ chown: eperm, chmod: eperm, stat: async () => st }) as unknown as FileHandle;

test('a refused chown/chmod is accepted when the file already has that owner and mode', async () => {
  await applyOwnership(handle({ uid: 0, gid: 33, mode: 0o100640 }), 0, 33, 0o640);
});

test('a refused chown/chmod that leaves the file different is an error', async () => {
  await assert.rejects(applyOwnership(handle({ uid: 0, gid: 0, mode: 0o100640 }), 0, 33, 0o640), /EPERM/);
  await assert.rejects(applyOwnership(handle({ uid: 0, gid: 33, mode: 0o100600 }), 0, 33, 0o640), /EPERM/);
});
