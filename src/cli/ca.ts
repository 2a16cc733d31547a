// `sshield ca init|sign|revoke|trust|sign-host|list`: SSH certificates with nothing but OpenSSH's
// ssh-keygen. The CA directory (src/ca/store.ts) lives on the admin's machine; `trust` and
// `sign-host` change a server and go through the one change flow (./change.ts) with the plans of
// src/ca/trust-plan.ts and src/ca/host-plan.ts. This file parses flags, calls those and renders.
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { openMachine } from '../apply/open-host.js';
import type { ApplyHost } from '../apply/host.js';
import { CA_KEY_TYPES, DEFAULT_POLICY, recordRevocation, type CaKeyType, type Parsed } from '../ca/ledger.js';
import { CA_FILES, caPath } from '../ca/ca-dir.js';
import { initCa, openCa, readPublic, withLedger, writeKrl, fingerprintOf, type OpenCa, type Owner } from '../ca/store.js';
import { LONG_VALIDITY_FLAG, caPublicPath, parsePrincipals, policyRefusal, signCertificate, type Issued } from '../ca/sign.js';
import { formatDuration, isoOf, parseDuration, parseValidity } from '../ca/validity.js';
import { OVERRIDE_PRINCIPALS_CHANGE, ROOT_PRINCIPALS_FLAG, planTrust, type PrincipalsGrant } from '../ca/trust-plan.js';
import { certAuthorityLine, hostKeysToSign, planHostCertificates } from '../ca/host-plan.js';
import { publicKeyLine, queryArgs, revocationListReadable } from '../ca/keygen.js';
import { daemonOf } from '../allow/target.js';
import { hasSystemd } from '../host/executor.js';
import { versioned } from '../report/document.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { processOutput, type Output } from './io.js';
import { applyAndReport, recoverOrStop, report, sshdFor } from './change.js';
import { guardOverrides, hidden, withChangeFlags, type CommonChangeFlags } from './flags.js';
import { configOf, open, sessionOfProcess } from './target.js';
import { CA_HELP, CA_INIT_HELP, CA_REVOKE_HELP, CA_SIGN_HELP, CA_SIGN_HOST_HELP, CA_TRUST_HELP } from './ca-help.js';
import { orFleet } from './fleet-change.js';

type InitOpts = { dir: string; type: string; userMaxValidity?: string; hostMaxValidity?: string; json?: true };
type SignOpts = {
  dir: string; key: string; principals: string; validity: string; sourceAddress?: string; forceCommand?: string;
  pty?: boolean; portForwarding?: boolean; agentForwarding?: boolean; x11Forwarding?: boolean; userRc?: boolean;
  id?: string; out?: string; allowLongValidity?: true; agent?: true; json?: true;
};
type RevokeOpts = { dir: string; serial?: string; key?: string; json?: true };
type ListOpts = { dir: string; json?: true };
type TrustOpts = CommonChangeFlags & { userCa?: string; userCaKey?: string; principals?: string[]; principalsDir?: string; revoked?: string; revokedBase64?: string; allowRootPrincipals?: true; allowPrincipalsChange?: true } & Record<string, unknown>;
type SignHostOpts = CommonChangeFlags & { dir: string; hostnames: string; validity: string; pattern?: string; allowLongValidity?: true; agent?: true } & Record<string, unknown>;

function owner(): Owner {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}
function who(): string {
  return sessionOfProcess(process.env).user ?? 'unknown';
}
function nowSecs(): number {
  return Math.floor(Date.now() / 1000);
}
function fail(io: Output, cmd: string, message: string, code: ExitCode = EXIT.error): ExitCode {
  io.err(`sshield ca ${cmd}: ${message}`);
  return code;
}
function abs(p: string): string {
  return p.startsWith('/') ? p.replace(/\/+$/, '') || '/' : `${process.cwd()}/${p}`.replace(/\/+$/, '');
}
function json(io: Output, command: string, body: object): ExitCode {
  io.out(JSON.stringify(versioned(command, body), null, 2));
  return EXIT.ok;
}

async function opened(io: Output, cmd: string, dir: string): Promise<{ host: ApplyHost; ca: OpenCa } | ExitCode> {
  const host = await openMachine();
  const ca = await openCa(host, abs(dir), owner().uid);
  return ca.ok ? { host, ca: ca.value } : fail(io, cmd, ca.message);
}

async function runInit(io: Output, o: InitOpts): Promise<ExitCode> {
  if (!CA_KEY_TYPES.includes(o.type as CaKeyType)) return fail(io, 'init', `--type ${o.type}: one of ${CA_KEY_TYPES.join(', ')}`);
  const um = o.userMaxValidity !== undefined ? parseDuration(o.userMaxValidity) : DEFAULT_POLICY.userMaxValidity;
  const hm = o.hostMaxValidity !== undefined ? parseDuration(o.hostMaxValidity) : DEFAULT_POLICY.hostMaxValidity;
  if (um === undefined || hm === undefined) return fail(io, 'init', 'a maximum validity is a duration such as 8h, 1d or 52w');
  const host = await openMachine();
  const dir = abs(o.dir);
  const r = await initCa(host, { dir, type: o.type as CaKeyType, now: isoOf(nowSecs()), owner: owner(), policy: { userMaxValidity: um, hostMaxValidity: hm }, label: `${who()}@${dir}` });
  if (!r.ok) return fail(io, 'init', r.message);
  const s = r.value.settings;
  const body = { dir, type: s.type, userCa: { publicKey: caPublicPath(r.value, 'user'), fingerprint: s.userCa.fingerprint }, hostCa: { publicKey: caPublicPath(r.value, 'host'), fingerprint: s.hostCa.fingerprint }, policy: { userMaxValidity: formatDuration(um), hostMaxValidity: formatDuration(hm) }, ledger: caPath(dir, CA_FILES.ledger) };
  if (o.json) return json(io, 'ca init', body);
  io.out(`CA created in ${dir} (${s.type}; private keys 0600, directory 0700)`);
  io.out(`  user CA: ${body.userCa.publicKey}  ${s.userCa.fingerprint}`);
  io.out(`  host CA: ${body.hostCa.publicKey}  ${s.hostCa.fingerprint}`);
  io.out(`  longest certificates without ${LONG_VALIDITY_FLAG}: users ${body.policy.userMaxValidity}, hosts ${body.policy.hostMaxValidity}`);
  io.out(`Next: copy ${body.userCa.publicKey} to each server and run \`sshield ca trust --user-ca user_ca.pub --principals USER:NAME\` there.`);
  return EXIT.ok;
}

function signOptions(o: SignOpts): string[] {
  return [
    ...(o.sourceAddress !== undefined ? [`source-address=${o.sourceAddress}`] : []),
    ...(o.forceCommand !== undefined ? [`force-command=${o.forceCommand}`] : []),
    ...(o.pty === false ? ['no-pty'] : []),
    ...(o.portForwarding === false ? ['no-port-forwarding'] : []),
    ...(o.agentForwarding === false ? ['no-agent-forwarding'] : []),
    ...(o.x11Forwarding === false ? ['no-x11-forwarding'] : []),
    ...(o.userRc === false ? ['no-user-rc'] : []),
  ];
}

function issuedJson(i: Issued, certPath: string) {
  const e = i.entry;
  return { serial: e.serial, kind: e.kind, keyId: e.keyId, principals: e.principals, validFrom: e.validFrom, validTo: e.validTo, keyFingerprint: e.keyFingerprint, keyType: e.keyType, options: e.options, certificate: certPath };
}

async function runSign(io: Output, o: SignOpts): Promise<ExitCode> {
  const principals = parsePrincipals(o.principals);
  if (!principals.ok) return fail(io, 'sign', principals.message);
  const validity = parseValidity(o.validity, nowSecs());
  if (!validity.ok) return fail(io, 'sign', validity.message);
  if (o.sourceAddress !== undefined && !/^[0-9A-Fa-f.:/,*]+$/.test(o.sourceAddress)) return fail(io, 'sign', `--source-address ${o.sourceAddress}: a comma list of addresses/CIDRs`);
  if (o.forceCommand !== undefined && (o.forceCommand.trim() === '' || /[\n\0]/.test(o.forceCommand))) return fail(io, 'sign', '--force-command: one non-empty line');
  const got = await opened(io, 'sign', o.dir);
  if (typeof got === 'number') return got;
  const { host, ca } = got;
  const keyPath = abs(o.key);
  const pub = await readPublic(host, keyPath);
  if (!pub.ok) return fail(io, 'sign', pub.message);
  const certPath = o.out !== undefined ? abs(o.out) : `${keyPath.replace(/\.pub$/, '')}-cert.pub`;
  const r = await signCertificate(host, ca, { kind: 'user', publicKey: pub.value, principals: principals.value, validity: validity.value, options: signOptions(o), ...(o.id !== undefined ? { keyId: o.id } : {}), allowLongValidity: Boolean(o.allowLongValidity), ...(o.agent ? { agent: true } : {}), signedBy: who(), now: nowSecs(), owner: owner() });
  if (!r.ok) return fail(io, 'sign', r.message, r.message.includes(LONG_VALIDITY_FLAG) ? EXIT.refused : EXIT.error);
  const existing = await host.fs.lstat(certPath);
  await host.replaceFile(certPath, Buffer.from(r.value.certificate, 'utf8'), { mode: 0o644, uid: existing?.uid ?? owner().uid, gid: existing?.gid ?? owner().gid });
  if (o.json) return json(io, 'ca sign', { dir: ca.dir, issued: issuedJson(r.value, certPath) });
  const e = r.value.entry;
  io.out(`Signed ${e.keyType} key ${e.keyFingerprint}: serial ${e.serial}, principals ${e.principals.join(',')}, valid ${e.validFrom} .. ${e.validTo}${e.options.length ? `, ${e.options.join(' ')}` : ''}`);
  io.out(`Certificate: ${certPath} (ssh uses it automatically beside the private key, or with -o CertificateFile=${certPath})`);
  return EXIT.ok;
}

async function runRevoke(io: Output, o: RevokeOpts): Promise<ExitCode> {
  if ((o.serial === undefined) === (o.key === undefined)) return fail(io, 'revoke', 'choose exactly one of --serial N or --key FILE');
  if (o.serial !== undefined && !/^[1-9]\d{0,15}$/.test(o.serial)) return fail(io, 'revoke', `--serial ${o.serial}: a serial number from the ledger`);
  const got = await opened(io, 'revoke', o.dir);
  if (typeof got === 'number') return got;
  const { host, ca } = got;
  let req: { kind: 'serial'; serial: number } | { kind: 'key'; fingerprint: string; key: string };
  if (o.serial !== undefined) req = { kind: 'serial', serial: Number(o.serial) };
  else {
    const pub = await readPublic(host, abs(o.key!));
    if (!pub.ok) return fail(io, 'revoke', pub.message);
    const k = publicKeyLine(pub.value);
    if (!k) return fail(io, 'revoke', `${o.key}: not one public key or certificate line`);
    const fp = await fingerprintOf(host, abs(o.key!));
    if (!fp.ok) return fail(io, 'revoke', fp.message);
    req = { kind: 'key', fingerprint: fp.value.fingerprint, key: `${k.type} ${k.blob}` };
  }
  const by = who();
  const at = isoOf(nowSecs());
  const r = await withLedger<{ changed: boolean; krl: number }>(host, ca.dir, owner(), async (l) => {
    const rec = recordRevocation(l, req, at, by);
    if (!rec.ok) return rec;
    const krl = await writeKrl(host, ca, rec.value.ledger, owner());
    if (!krl.ok) return krl;
    return { ok: true, value: { ledger: rec.value.ledger, result: { changed: rec.value.changed, krl: krl.value.length } } };
  });
  if (!r.ok) return fail(io, 'revoke', r.message);
  const krlPath = caPath(ca.dir, CA_FILES.krl);
  const what = req.kind === 'serial' ? `serial ${req.serial}` : `key ${req.fingerprint}`;
  if (o.json) return json(io, 'ca revoke', { dir: ca.dir, revoked: req.kind === 'serial' ? { serial: req.serial } : { keyFingerprint: req.fingerprint }, changed: r.value.changed, krl: krlPath });
  io.out(r.value.changed ? `Revoked ${what}; ${krlPath} rebuilt (${r.value.krl} bytes).` : `${what} was already revoked; ${krlPath} is current.`);
  io.out(`Next, on each server: sshield ca trust --user-ca ${caPublicPath(ca, 'user')} --revoked ${krlPath}`);
  return EXIT.ok;
}

async function runList(io: Output, o: ListOpts): Promise<ExitCode> {
  const got = await opened(io, 'list', o.dir);
  if (typeof got === 'number') return got;
  const { ca } = got;
  if (o.json) return json(io, 'ca list', { dir: ca.dir, type: ca.settings.type, nextSerial: ca.ledger.nextSerial, certificates: ca.ledger.certificates, revokedKeys: ca.ledger.revokedKeys });
  if (!ca.ledger.certificates.length) io.out('No certificates issued yet.');
  for (const c of ca.ledger.certificates) io.out(`${String(c.serial).padStart(4)} ${c.kind.padEnd(4)} ${c.principals.join(',')}  ${c.validFrom} .. ${c.validTo}  ${c.keyFingerprint}  by ${c.signedBy}${c.revoked ? `  REVOKED ${c.revoked.at}` : ''}`);
  for (const k of ca.ledger.revokedKeys) io.out(`   - key  ${k.fingerprint}  REVOKED ${k.at} by ${k.by}`);
  return EXIT.ok;
}

function parseGrants(list: readonly string[]): Parsed<PrincipalsGrant[]> {
  const out: PrincipalsGrant[] = [];
  for (const g of list) {
    const m = /^([A-Za-z0-9._][-A-Za-z0-9._]*\$?):(.+)$/.exec(g);
    if (!m) return { ok: false, message: `--principals "${g}": USER:PRINCIPAL[,PRINCIPAL...], e.g. alice:alice,ops` };
    const p = parsePrincipals(m[2]!);
    if (!p.ok) return p;
    const prev = out.find((x) => x.user === m[1]);
    if (prev) out[out.indexOf(prev)] = { user: m[1]!, principals: [...new Set([...prev.principals, ...p.value])] };
    else out.push({ user: m[1]!, principals: p.value });
  }
  return { ok: true, value: out };
}

/** The bytes of --revoked-base64 (strict base64: a truncated or mangled argument is an error, never a shorter list). */
export function revokedFromBase64(b64: string): Uint8Array | string {
  const t = b64.trim();
  if (!t || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return '--revoked-base64: not base64';
  return new Uint8Array(Buffer.from(t, 'base64'));
}

async function runTrust(io: Output, o: TrustOpts): Promise<ExitCode> {
  const command = 'ca trust';
  const bad = (reason: string): ExitCode => report(io, { command, outcome: { kind: 'error', reason } }, o);
  const grants = parseGrants(o.principals ?? []);
  if (!grants.ok) return bad(grants.message);
  const t = await open(o, process.env);
  if (typeof t === 'string') return bad(t);
  const host = t.machine;
  if ((o.userCa === undefined) === (o.userCaKey === undefined)) return bad(o.userCa === undefined ? "required option '--user-ca <CA.pub>' not specified" : 'give --user-ca or --user-ca-key, not both');
  const caPub = o.userCa !== undefined ? await readPublic(host, abs(o.userCa)) : { ok: true as const, value: o.userCaKey! };
  if (!caPub.ok) return bad(`--user-ca: ${caPub.message}`);
  let revoked: { source: string; bytes: Uint8Array; readable: string | true } | undefined;
  if (o.revoked !== undefined && o.revokedBase64 !== undefined) return bad('give --revoked or --revoked-base64, not both');
  if (o.revoked !== undefined) {
    // ssh-keygen -Q checks the list against the CA's file.
    if (o.userCa === undefined) return bad('--revoked needs the CA as a file (--user-ca)');
    const src = abs(o.revoked);
    const r = await host.fs.readFile(src, 64 << 20);
    if (!r.ok) return bad(`--revoked ${src}: ${r.detail}`);
    // ssh-keygen -Q reads a KRL as sshd will: 0 or 1 (a key revoked or not), anything else: unreadable;
    // a text list of public keys (no KRL magic), which -Q refuses, is read line by line.
    const q = await host.run('ssh-keygen', queryArgs(src, abs(o.userCa)), { timeoutMs: 30_000 });
    revoked = { source: src, bytes: r.bytes, readable: revocationListReadable(q, r.bytes) };
  } else if (o.revokedBase64 !== undefined) {
    // The list `ca trust --revoked FILE --host H` read and checked on the controller: the same
    // check, planner and guard as a file here. ssh-keygen of THIS host reads it as sshd will,
    // against the CA key, both staged in a private temporary directory removed at once (not
    // /dev/stdin: a socket under Node, which ssh-keygen cannot open).
    const bytes = revokedFromBase64(o.revokedBase64);
    if (typeof bytes === 'string') return bad(bytes);
    const tmp = await host.tempDir('sshield-krl-');
    let q;
    try {
      await host.writeFile(`${tmp}/revoked`, bytes);
      await host.writeFile(`${tmp}/user_ca.pub`, new TextEncoder().encode(caPub.value.endsWith('\n') ? caPub.value : `${caPub.value}\n`));
      q = await host.run('ssh-keygen', queryArgs(`${tmp}/revoked`, `${tmp}/user_ca.pub`), { timeoutMs: 30_000 });
    } finally {
      await host.removeTree(tmp);
    }
    const source = `the controller's revocation list (${bytes.length} bytes)`;
    const readable = revocationListReadable(q, bytes);
    revoked = { source, bytes, readable: readable === true ? true : readable.replaceAll(`${tmp}/revoked`, 'the list') };
  }
  const sshd = await sshdFor(host);
  const stop = await recoverOrStop(io, command, host, o, sshd, t.root);
  if (stop !== undefined) return stop;
  const cfg = await configOf(t);
  if (typeof cfg === 'string') return bad(cfg);
  const daemon = await daemonOf(cfg, t, await hasSystemd(host));
  const overrides = new Set(o.allowPrincipalsChange ? [OVERRIDE_PRINCIPALS_CHANGE] : []);
  const p = await planTrust({ cfg, ...(t.root !== undefined ? { root: t.root } : {}), caKey: caPub.value, grants: grants.value, ...(o.principalsDir !== undefined ? { principalsDir: o.principalsDir } : {}), allowRootPrincipals: Boolean(o.allowRootPrincipals), ...(revoked ? { revoked } : {}), overrides, reload: daemon.reload, ...(daemon.verify ? { verify: daemon.verify } : {}) });
  if (!p.ok) return bad(p.message);
  const d = p.details;
  const extra = () => `\nTrusted user CA: ${d.caFingerprintLine}\n  in ${d.trustedUserCaKeys}; principals from ${d.authorizedPrincipalsFile}${d.principalsFiles.map((f) => `\n  ${f.user}: ${f.principals.join(', ')}  (${f.path})`).join('')}${d.revokedKeys ? `\n  revoked keys: ${d.revokedKeys}` : ''}\n`;
  return applyAndReport(io, { command, host, target: t.target, plan: p.plan, guard: { host: cfg.host, overrides: new Set([...overrides, ...guardOverrides(o)]), session: t.session }, details: { ...d }, ...(p.refusal ? { refusal: p.refusal } : {}), extraText: extra, flow: { ...(sshd ? { sshd } : {}) } }, o);
}

async function runSignHost(io: Output, o: SignHostOpts): Promise<ExitCode> {
  const command = 'ca sign-host';
  const bad = (reason: string, code: ExitCode = EXIT.error): ExitCode => (code === EXIT.refused ? report(io, { command, outcome: { kind: 'refused', reason } }, o) : report(io, { command, outcome: { kind: 'error', reason } }, o));
  const names = parsePrincipals(o.hostnames);
  if (!names.ok) return bad(names.message.replace('--principals', '--hostnames'));
  const validity = parseValidity(o.validity, nowSecs());
  if (!validity.ok) return bad(validity.message);
  const got = await opened(io, 'sign-host', o.dir);
  if (typeof got === 'number') return got;
  const { ca } = got;
  const t = await open(o, process.env);
  if (typeof t === 'string') return bad(t);
  const host = t.machine;
  const sshd = await sshdFor(host);
  const stop = await recoverOrStop(io, command, host, o, sshd, t.root);
  if (stop !== undefined) return stop;
  const cfg = await configOf(t);
  if (typeof cfg === 'string') return bad(cfg);
  const { keys, notes } = await hostKeysToSign(cfg);
  if (!keys.length) return bad(`no host key with a readable .pub to sign (${notes.join('; ') || 'HostKey lists none'})`);
  const certs: { key: (typeof keys)[number]; cert: string }[] = [];
  const issued: ReturnType<typeof issuedJson>[] = [];
  const hostPolicy = policyRefusal(ca, { kind: 'host', validity: validity.value, allowLongValidity: Boolean(o.allowLongValidity) });
  if (hostPolicy) return bad(hostPolicy, EXIT.refused);
  for (const k of keys) {
    if (o.dryRun) {
      certs.push({ key: k, cert: `# --dry-run: the certificate of ${k.pubPath} is signed by the host CA when this is applied\n` });
      continue;
    }
    const r = await signCertificate(got.host, ca, { kind: 'host', publicKey: k.pubText, principals: names.value, validity: validity.value, options: [], allowLongValidity: Boolean(o.allowLongValidity), ...(o.agent ? { agent: true } : {}), signedBy: who(), now: nowSecs(), owner: owner() });
    if (!r.ok) return bad(`${k.pubPath}: ${r.message}`);
    certs.push({ key: k, cert: r.value.certificate });
    issued.push(issuedJson(r.value, k.certPath));
  }
  const daemon = await daemonOf(cfg, t, await hasSystemd(host));
  const p = await planHostCertificates({ cfg, ...(t.root !== undefined ? { root: t.root } : {}), certs, reload: daemon.reload, ...(daemon.verify ? { verify: daemon.verify } : {}), notes });
  if (!p.ok) return bad(p.message);
  const hostCa = await readPublic(got.host, caPublicPath(ca, 'host'));
  if (!hostCa.ok) return bad(hostCa.message);
  const line = certAuthorityLine(o.pattern !== undefined ? o.pattern.split(',') : names.value, hostCa.value);
  const extra = () => `\nClients trust this host (and every host this CA signs) with one known_hosts line:\n${line}\n`;
  return applyAndReport(io, { command, host, target: t.target, plan: p.plan, guard: { host: cfg.host, overrides: guardOverrides(o), session: t.session }, details: { knownHostsLine: line, hostnames: names.value, issued }, extraText: extra, flow: { ...(sshd ? { sshd } : {}) } }, o);
}

export function register(program: Command): void {
  const ca = program.command('ca').description('SSH certificates: a CA, short-lived user certificates, principals, revocation, host certificates').addHelpText('after', CA_HELP);
  ca.command('init')
    .description('Create a user CA and a host CA (ssh-keygen) with a serial ledger in DIR')
    .requiredOption('--dir <DIR>', 'the CA directory (0700, yours alone; on your workstation or an offline machine)')
    .addOption(new Option('--type <TYPE>', 'CA key type').choices(CA_KEY_TYPES).default('ed25519'))
    .option('--user-max-validity <DURATION>', `longest user certificate without ${LONG_VALIDITY_FLAG} (default ${formatDuration(DEFAULT_POLICY.userMaxValidity)})`)
    .option('--host-max-validity <DURATION>', `longest host certificate without ${LONG_VALIDITY_FLAG} (default ${formatDuration(DEFAULT_POLICY.hostMaxValidity)})`)
    .option('--json', 'machine-readable output')
    .addHelpText('after', CA_INIT_HELP)
    .action(async (o) => {
      process.exitCode = await runInit(processOutput, o as InitOpts);
    });
  ca.command('sign')
    .description('Sign a user public key: a certificate with principals, a validity and options')
    .requiredOption('--dir <DIR>', 'the CA directory')
    .requiredOption('--key <KEY.pub>', 'the user public key to sign')
    .requiredOption('--principals <LIST>', 'comma list of principals, e.g. alice,ops')
    .requiredOption('--validity <INTERVAL>', 'e.g. +8h, -5m:+1h, 20261204000000Z:20261205000000Z')
    .option('--source-address <CIDRS>', 'the certificate works only from these addresses')
    .option('--force-command <CMD>', 'the certificate runs only this command')
    .option('--no-pty', 'no terminal')
    .option('--no-port-forwarding', 'no port forwarding')
    .option('--no-agent-forwarding', 'no agent forwarding')
    .option('--no-x11-forwarding', 'no X11 forwarding')
    .option('--no-user-rc', 'do not run ~/.ssh/rc')
    .option('--id <KEY_ID>', 'the key id logged by sshd (default: principals and the key comment)')
    .option('--out <FILE>', 'where the certificate goes (default KEY-cert.pub beside the key)')
    .option('--agent', 'sign with the CA key loaded in ssh-agent (SSH_AUTH_SOCK): keep DIR/user_ca passphrase-protected')
    .option(LONG_VALIDITY_FLAG, "sign even when longer than the CA's maximum")
    .option('--json', 'machine-readable output')
    .addHelpText('after', CA_SIGN_HELP)
    .action(async (o) => {
      process.exitCode = await runSign(processOutput, o as SignOpts);
    });
  ca.command('revoke')
    .description("Revoke a certificate (by serial) or a key; rebuilds the CA's KRL")
    .requiredOption('--dir <DIR>', 'the CA directory')
    .option('--serial <N>', 'a serial from the ledger (`sshield ca list`)')
    .option('--key <FILE>', 'a public key or certificate file')
    .option('--json', 'machine-readable output')
    .addHelpText('after', CA_REVOKE_HELP)
    .action(async (o) => {
      process.exitCode = await runRevoke(processOutput, o as RevokeOpts);
    });
  ca.command('list')
    .description('Show the ledger: every certificate issued, and revocations')
    .requiredOption('--dir <DIR>', 'the CA directory')
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      process.exitCode = await runList(processOutput, o as ListOpts);
    });
  const trust = ca
    .command('trust')
    .description('On a server: trust a user CA, with principals files per account and a revocation list')
    .option('--user-ca <CA.pub>', 'the user CA public key (DIR/user_ca.pub) (required)')
    .addOption(hidden('--user-ca-key <LINE>', "the user CA public key's text (what `ca trust --user-ca FILE --host H` sends each host)"))
    .option('--principals <USER:LIST>', 'principals that log in as USER (repeatable), e.g. alice:alice,ops', (v: string, prev: string[] = []) => [...prev, v])
    .option('--principals-dir <DIR>', 'where the per-user principals files live (default: beside sshd_config, auth_principals)')
    .option('--revoked <KRL>', 'install this revocation list as RevokedKeys (from `sshield ca revoke`)')
    .addOption(hidden('--revoked-base64 <B64>', "the revocation list's bytes in base64 (what `ca trust --revoked FILE --host H` sends each host)"))
    .option(ROOT_PRINCIPALS_FLAG, 'allow --principals root:... (certificates that log in as root)')
    .option(OVERRIDE_PRINCIPALS_CHANGE, 'apply even though certificates trusted today by user name would need a principals file');
  withChangeFlags(trust).addHelpText('after', CA_TRUST_HELP).action(async (_o, cmd) => {
    process.exitCode = await orFleet(cmd, () => runTrust(processOutput, cmd.opts() as TrustOpts));
  });
  const signHost = ca
    .command('sign-host')
    .description("Sign this server's host keys and install HostCertificate lines; prints the clients' @cert-authority line")
    .requiredOption('--dir <DIR>', 'the CA directory')
    .requiredOption('--hostnames <LIST>', 'names clients use for this host (certificate principals), e.g. pve1,pve1.example.com')
    .option('--validity <INTERVAL>', 'e.g. +52w', '+52w')
    .option('--pattern <PATTERNS>', 'known_hosts host patterns of the @cert-authority line (default: the hostnames), e.g. *.example.com')
    .option('--agent', 'sign with the host CA key loaded in ssh-agent (SSH_AUTH_SOCK): keep DIR/host_ca passphrase-protected')
    .option(LONG_VALIDITY_FLAG, "sign even when longer than the CA's maximum");
  withChangeFlags(signHost).addHelpText('after', CA_SIGN_HOST_HELP).action(async (_o, cmd) => {
    process.exitCode = await runSignHost(processOutput, cmd.opts() as SignHostOpts);
  });
}
