// --profile for audit and harden: a built-in profile name, or a YAML/JSON policy file of this
// machine (never inside --root; a relative path is taken from the working directory), read
// through the machine's file view like every other file (not by the CLI itself), never more than
// the policy limit (MAX_POLICY_BYTES) + 1 bytes. Errors are said once, as file:line:column.
// Also the text of a policy file given as is (policyFromText): `harden --profile FILE --host H`
// reads FILE on the controller and sends its text to each host (harden's hidden --profile-text).
import { resolve } from 'node:path';
import type { ReadOnlyFs } from '../host/fs.js';
import { PROFILES, isBuiltinProfile } from '../policy/profiles.js';
import { MAX_POLICY_BYTES, formatPolicyError, parsePolicy, type Policy } from '../policy/policy-file.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Output } from './io.js';

/** A built-in profile as a Policy; undefined when `profile` names no built-in. */
export function builtinPolicy(profile: string): Policy | undefined {
  return isBuiltinProfile(profile) ? { profile: PROFILES[profile], source: 'builtin', waivers: [] } : undefined;
}

/** Reads and checks a policy file, or says why not (on stderr, prefixed by the command) and returns EXIT.error. */
export async function policyFromFile(io: Output, command: string, profile: string, machine: ReadOnlyFs, cwd: string = process.cwd()): Promise<Policy | ExitCode> {
  const r = await machine.readFile(resolve(cwd, profile), MAX_POLICY_BYTES + 1);
  if (!r.ok && r.reason !== 'too-large') {
    io.err(`sshield ${command}: --profile ${profile}: not a built-in profile (baseline, proxmox, strict) and not a readable file (${r.detail})`);
    return EXIT.error;
  }
  if (!r.ok) {
    io.err(`sshield ${command}: ${formatPolicyError({ file: profile, line: 1, column: 1, message: `policy file is over the limit of ${MAX_POLICY_BYTES} bytes` })}`);
    return EXIT.error;
  }
  return policyFromText(io, command, Buffer.from(r.bytes).toString('utf8'), profile);
}

/** A policy file's text checked as policyFromFile checks the file; `label` names it in errors. */
export function policyFromText(io: Output, command: string, text: string, label: string): Policy | ExitCode {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) {
    io.err(`sshield ${command}: ${formatPolicyError({ file: label, line: 1, column: 1, message: `policy file is over the limit of ${MAX_POLICY_BYTES} bytes` })}`);
    return EXIT.error;
  }
  const p = parsePolicy(text, label);
  if (p.ok) return p.policy;
  io.err(p.errors.map((e) => `sshield ${command}: ${formatPolicyError(e)}`).join('\n'));
  return EXIT.error;
}
