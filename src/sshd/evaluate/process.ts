// One directive, as servconf.c process_server_config_line_depth handles it (OpenSSH 9.2p1, with
// the 10.x differences the build profile names): value validation (sshd's fatal errors become
// error diagnostics), then the effect on Options when the line is active.
import type { DirectiveLine } from '../cst.js';
import type { Diagnostic } from '../diagnostics.js';
import type { KeywordSpec } from '../keywords/index.js';
import type { BuildProfile } from '../builds/index.js';
import { namesValid, keyNamesValid } from './algos.js';
import type { Options } from './options.js';
import type { Origin } from './types.js';
import { a2port, atoiErr, convtime, logFacility, logLevel, octalPrefix, parseIpqos, scanScaled, iptos2str } from '../values/time.js';
import { matchPatternList } from '../values/pattern.js';
import { mergePenalties, parsePenalties } from './penalties.js';

export interface LineContext {
  readonly file: string;
  readonly line: DirectiveLine;
  readonly spec: KeywordSpec;
  readonly active: boolean;
  readonly origin: Origin;
  readonly build: BuildProfile;
  readonly opts: Options;
  readonly cwd: string;
  /**
   * Reports sshd's error for this line. `badOption`: error() + return -1 in servconf.c (the
   * line is a bad option, the file refused at its end); otherwise fatal() on the spot.
   */
  error(message: string, code?: Diagnostic['code'], badOption?: boolean): void;
  /** Queued ListenAddress entries (process_queued_listen_addrs runs after parsing). */
  queueListen(addr: string, port: number, rdomain: string | undefined, origin: Origin): void;
}

const FLAG: Record<string, string> = { yes: 'yes', no: 'no' };
const MULTI: Record<string, Record<string, string>> = {
  AddressFamily: { inet: 'inet', inet6: 'inet6', any: 'any' },
  IgnoreRhosts: { yes: 'yes', no: 'no', 'shosts-only': 'shosts-only' },
  Compression: { yes: 'yes', delayed: 'yes', no: 'no' },
  GatewayPorts: { clientspecified: 'clientspecified', yes: 'yes', no: 'no' },
  AllowTcpForwarding: { yes: 'yes', all: 'yes', no: 'no', remote: 'remote', local: 'local' },
  AllowStreamLocalForwarding: { yes: 'yes', all: 'yes', no: 'no', remote: 'remote', local: 'local' },
};
const FLAG_OPCODES = new Set(['UsePAM', 'IgnoreUserKnownHosts', 'HostbasedAuthentication', 'HostbasedUsesNameFromPacketOnly', 'PubkeyAuthentication', 'KerberosAuthentication', 'KerberosOrLocalPasswd',
  'KerberosTicketCleanup', 'GssAuthentication', 'GssKeyEx', 'GssCleanupCreds', 'GssStrictAcceptor', 'GssStoreRekey', 'PasswordAuthentication', 'KbdInteractiveAuthentication', 'PrintMotd', 'PrintLastLog',
  'X11Forwarding', 'X11UseLocalhost', 'PermitTTY', 'PermitUserRC', 'StrictModes', 'TCPKeepAlive', 'EmptyPasswd', 'UseDNS', 'AllowAgentForwarding', 'DisableForwarding', 'StreamLocalBindUnlink',
  'ExposeAuthInfo', 'DebianBanner', 'RefuseConnection', 'WarnWeakCrypto', 'GssDelegateCreds']);
const FIRST_WINS_106 = new Set(['MaxStartups', 'PerSourceNetBlockSize', 'IPQoS', 'StreamLocalBindMask']);
/** 10.6p1 (observed): TCPKeepAlive takes and prints true/false besides yes/no. */
const TRUE_FALSE: Record<string, string> = { yes: 'true', true: 'true', no: 'false', false: 'false' };
/** 10.6p1 (observed): WarnWeakCrypto yes|no|no-pq-kex, any case; no-pq-kex prints false. */
const WEAK_CRYPTO: Record<string, string> = { ...TRUE_FALSE, 'no-pq-kex': 'false' };
const INT_OPCODES = new Set(['X11DisplayOffset', 'MaxAuthTries', 'MaxSessions', 'ClientAliveCountMax', 'RequiredRSASize']);
const TIME_OPCODES = new Set(['LoginGraceTime', 'ClientAliveInterval']);
const FILE_OPCODES = new Set(['PidFile', 'ModuliFile', 'XAuthLocation', 'Banner', 'TrustedUserCAKeys', 'RevokedKeys', 'SshdSessionPath', 'SshdAuthPath']);
const TUN = ['yes', 'point-to-point', 'ethernet', 'no'];

/** misc.c derelativise_path / tilde_expand_filename for root (uid 0). */
export function derelativise(p: string, cwd: string): string {
  if (p.toLowerCase() === 'none') return 'none';
  const t = tildeExpand(p);
  return t.startsWith('/') ? t : `${cwd === '/' ? '' : cwd}/${t}`;
}
function tildeExpand(p: string): string {
  if (p === '~' ) return '/root';
  if (p.startsWith('~/')) return `/root${p.slice(1)}`;
  return p;
}

/**
 * The argument cursor and the slot setters of one directive. A class, not per-call closures:
 * evaluating many connection specs runs this for every active Match line.
 */
class Directive {
  i = 0;
  constructor(
    private readonly c: LineContext,
    readonly args: readonly string[],
    private readonly key: string,
    readonly kw: string,
  ) {}
  next(): string | undefined {
    return this.args[this.i++];
  }
  need(what: string): string | undefined {
    const a = this.next();
    if (a === undefined || a === '') { this.c.error(`${this.kw} ${what}`, 'MISSING_ARGUMENT'); return undefined; }
    return a;
  }
  /** `if (*activep && *intptr == -1)`: the first active value wins. */
  first(vals: string[], raw?: string): void {
    const { opts, origin, active } = this.c;
    if (!active) return;
    if (opts.isSet(this.key)) opts.touch(this.key, origin);
    else opts.set(this.key, vals, origin, 'first', raw);
  }
  /**
   * Each active line overwrites (9.2p1, 10.0p1). 10.6p1 keeps the first value of MaxStartups,
   * PerSourceNetBlockSize, IPQoS and StreamLocalBindMask instead (observed on Debian's
   * 1:10.6p1-1; servconf.c's 10.4p1 rewrite parses them in SSHCONF_CUSTOM handlers).
   */
  last(vals: string[]): void {
    if (this.c.build.version >= 10.6 && FIRST_WINS_106.has(this.c.spec.opcode)) return this.first(vals);
    if (this.c.active) this.c.opts.set(this.key, vals, this.c.origin, 'last');
  }
  /** Each active line appends. */
  append(vals: string[]): void {
    if (this.c.active && vals.length) this.c.opts.set(this.key, vals, this.c.origin, 'append');
  }
  /** The first active line's whole list wins. */
  firstLine(vals: string[]): void {
    this.first(vals);
  }
}

export function processDirective(c: LineContext): void {
  const { spec, line, opts, origin, active } = c;
  const key = spec.dumpKey ?? spec.name.toLowerCase();
  const kw = line.keyword.value;
  const d = new Directive(c, line.args.map((a) => a.value), key, kw);
  const args = d.args;
  const op = spec.opcode;

  if (FLAG_OPCODES.has(op) || MULTI[op] || op === 'PermitRootLogin') {
    const a = d.need('missing argument.');
    if (a === undefined) return;
    const table = op === 'PermitRootLogin'
      ? { 'without-password': c.build.prohibitPasswordName, 'prohibit-password': c.build.prohibitPasswordName, 'forced-commands-only': 'forced-commands-only', yes: 'yes', no: 'no' } as Record<string, string>
      : c.build.trueFalse.has(key) ? (op === 'WarnWeakCrypto' ? WEAK_CRYPTO : TRUE_FALSE) : MULTI[op] ?? FLAG;
    const v = table[a.toLowerCase()];
    if (v === undefined) return c.error(`unsupported option "${a}".`, 'BAD_VALUE');
    d.first([v]);
  } else if (INT_OPCODES.has(op)) {
    const a = d.next();
    const v = atoiErr(a);
    if (v === undefined) return c.error(`${kw} integer value ${a === undefined || a === '' ? 'missing' : 'invalid'}.`, 'BAD_VALUE');
    d.first([String(v)]);
  } else if (TIME_OPCODES.has(op)) {
    const a = d.need('missing time value.');
    if (a === undefined) return;
    const v = convtime(a);
    if (v === undefined) return c.error('invalid time value.', 'BAD_VALUE');
    d.first([String(v)]);
  } else if (op === 'RevokedKeys' && c.build.version >= 10.4) {
    // 10.4p1+ (servconf.h SSHCONF_STRARRAY revoked_keys_files): several files on one line, the
    // first active line wins; "none" clears it (printed by dump_cfg_strarray_oneline only when set)
    const vals: string[] = [];
    for (let a = d.next(); a !== undefined; a = d.next()) vals.push(derelativise(a, c.cwd));
    if (vals.length === 0) return c.error(`${kw} missing argument.`, 'MISSING_ARGUMENT');
    d.firstLine([vals.join(' ')]);
  } else if (FILE_OPCODES.has(op)) {
    const a = d.need('missing file name.');
    if (a === undefined) return;
    d.first([derelativise(a, c.cwd)]);
  } else {
    switch (op) {
      case 'Port': {
        const a = d.need('missing port number.');
        if (a === undefined) return;
        const p = a2port(a);
        if (p <= 0) return c.error('Badly formatted port number.', 'BAD_VALUE');
        d.append([String(p)]);
        break;
      }
      case 'ListenAddress': {
        const a = d.need('missing address');
        if (a === undefined) return;
        let host: string, port = 0;
        const colon = a.indexOf(':');
        if (!a.includes('[') && colon >= 0 && a.indexOf(':', colon + 1) >= 0) host = a;
        else {
          const m = /^\[([^\]]*)\](?::(.*))?$/.exec(a) ?? /^([^:]*)(?::(.*))?$/.exec(a);
          if (!m) return c.error('bad address:port usage', 'BAD_VALUE');
          host = m[1]!;
          if (m[2] !== undefined) {
            port = a2port(m[2]);
            if (port <= 0) return c.error('bad port number', 'BAD_VALUE');
          }
        }
        let rdomain: string | undefined;
        const r = d.next();
        if (r !== undefined) {
          rdomain = d.next();
          if (r !== 'rdomain' || rdomain === undefined) return c.error('bad ListenAddress syntax', 'BAD_VALUE');
        }
        if (active) c.queueListen(host, port, rdomain, origin);
        break;
      }
      case 'HostKeyFile':
      case 'HostCertificate': {
        const a = d.need('missing file name.');
        if (a === undefined) return;
        d.append([derelativise(a, c.cwd)]);
        break;
      }
      case 'HostKeyAgent': {
        const a = d.need('missing socket name.');
        if (a === undefined) return;
        d.first([a === 'SSH_AUTH_SOCK' ? a : derelativise(a, c.cwd)]);
        break;
      }
      case 'HostbasedAcceptedAlgorithms':
      case 'HostKeyAlgorithms':
      case 'CASignatureAlgorithms':
      case 'PubkeyAcceptedAlgorithms': {
        const a = d.need('Missing argument.');
        if (a === undefined) return;
        if (!a.startsWith('-') && !keyNamesValid(a.startsWith('+') || a.startsWith('^') ? a.slice(1) : a, c.build.algorithms.allKeys)) return c.error(`Bad key types '${a}'.`, 'BAD_VALUE');
        d.first([a], a);
        break;
      }
      case 'Ciphers':
      case 'Macs':
      case 'KexAlgorithms': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        const all = op === 'Ciphers' ? c.build.algorithms.allCiphers : op === 'Macs' ? c.build.algorithms.allMacs : c.build.algorithms.allKex;
        if (!a.startsWith('-') && !namesValid(a.startsWith('+') || a.startsWith('^') ? a.slice(1) : a, all)) return c.error(`Bad SSH2 ${op === 'Ciphers' ? 'cipher' : op === 'Macs' ? 'mac' : 'KexAlgorithms'} spec '${a}'.`, 'BAD_VALUE');
        d.first([a], a);
        break;
      }
      case 'GssKexAlgorithms': {
        const a = d.need('Missing argument.');
        if (a === undefined) return;
        const ok = a.split(',').every((n) => /^gss-(group1-sha1|group14-sha1|gex-sha1|group14-sha256|group16-sha512|nistp256-sha256|curve25519-sha256)-$/.test(n));
        if (!ok) return c.error(`Bad GSSAPI KexAlgorithms '${a}'.`, 'BAD_VALUE');
        d.first([a]);
        break;
      }
      case 'PubkeyAuthOptions': {
        let touch = false, verify = false;
        let maxPkOk: number | undefined;
        for (let a = d.next(); a !== undefined; a = d.next()) {
          const l = a.toLowerCase();
          if (l === 'none') continue;
          if (l === 'touch-required') touch = true;
          else if (l === 'verify-required') verify = true;
          else if (c.build.version >= 10.6 && l.startsWith('max-pk-ok:')) {
            // 10.6p1 (observed): max-pk-ok:N, printed after the flags
            const n = atoiErr(a.slice(10));
            if (n === undefined) return c.error(`bad ${kw} max-pk-ok value: invalid`, 'BAD_VALUE');
            maxPkOk = n;
          } else return c.error(`unsupported ${kw} option ${a}`, 'BAD_VALUE');
        }
        let v = [touch ? 'touch-required' : '', verify ? 'verify-required' : ''].filter(Boolean).join(' ') || 'none';
        // printed only when a line sets it (the default "none max-pk-ok:6" prints when no line does)
        if (maxPkOk !== undefined) v += ` max-pk-ok:${maxPkOk}`;
        d.first([v]);
        break;
      }
      case 'PermitUserEnvironment': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        d.first([a === 'yes' || a === 'no' ? a : `=${a}`]);
        break;
      }
      case 'RekeyLimit': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        let v = 0;
        if (a !== 'default') {
          const s = scanScaled(a);
          if (s === undefined) return c.error(`Bad ${kw} number '${a}'`, 'BAD_VALUE');
          if (s !== 0 && s < 16) return c.error(`${kw} too small`, 'BAD_VALUE');
          v = s;
        }
        let interval: string | undefined;
        const b = d.next();
        if (b !== undefined && b !== 'none') {
          const t = convtime(b);
          if (t === undefined) return c.error('invalid time value.', 'BAD_VALUE');
          interval = String(t);
        }
        if (active) {
          if (!opts.isSet('rekeylimit')) opts.set('rekeylimit', [String(v)], origin, 'first');
          else opts.touch('rekeylimit', origin);
          if (interval !== undefined && !opts.isSet('rekeyinterval')) opts.set('rekeyinterval', [interval], origin, 'first');
        }
        break;
      }
      case 'LogFacility': {
        const a = d.next();
        const v = a === undefined ? undefined : logFacility(a);
        if (v === undefined) return c.error(`unsupported log facility '${a ?? '<NONE>'}'`, 'BAD_VALUE');
        d.first([v]);
        break;
      }
      case 'LogLevel': {
        const a = d.next();
        // Debian's builds also take SILENT for QUIET and print it (observed on 9.2p1, 10.0p1, 10.6p1)
        const v = a === undefined ? undefined : c.build.debian && a.toLowerCase() === 'silent' ? 'QUIET' : logLevel(a);
        if (v === undefined) return c.error(`unsupported log level '${a ?? '<NONE>'}'`, 'BAD_VALUE');
        d.first([v === 'QUIET' ? c.build.quietName : v]);
        break;
      }
      case 'LogVerbose':
      case 'ChannelTimeout': {
        const vals: string[] = [];
        for (let a = d.next(); a !== undefined; a = d.next()) {
          if (a === '' && op === 'LogVerbose') return c.error(`keyword ${kw} empty argument`, 'BAD_VALUE', true);
          if (a.toLowerCase() === 'none') {
            if (vals.length > 0 || d.i < args.length) return c.error(`keyword ${kw} "none" argument must appear alone.`, 'BAD_VALUE', true);
          } else if (op === 'ChannelTimeout' && !validChannelTimeout(a)) return c.error(`invalid channel timeout ${a}`, 'BAD_VALUE');
          vals.push(a);
        }
        d.firstLine(vals);
        break;
      }
      case 'AllowUsers':
      case 'DenyUsers':
      case 'AllowGroups':
      case 'DenyGroups':
      case 'AcceptEnv': {
        const vals: string[] = [];
        for (let a = d.next(); a !== undefined; a = d.next()) {
          if (a === '') return c.error(`empty ${kw} pattern`, 'BAD_VALUE');
          if (op === 'AcceptEnv' && a.includes('=')) return c.error('Invalid environment name.', 'BAD_VALUE');
          if ((op === 'AllowUsers' || op === 'DenyUsers') && !validUserPattern(a)) return c.error(`invalid ${kw} pattern: "${a}"`, 'BAD_VALUE');
          vals.push(a);
        }
        d.append(vals);
        break;
      }
      case 'SetEnv': {
        const vals: string[] = [];
        for (let a = d.next(); a !== undefined; a = d.next()) {
          if (a === '' || !a.includes('=')) return c.error('Invalid environment.', 'BAD_VALUE');
          const name = a.slice(0, a.indexOf('='));
          if (!vals.some((v) => v.slice(0, v.indexOf('=')) === name)) vals.push(a);
        }
        if (vals.length) d.firstLine(vals);
        break;
      }
      case 'AuthorizedKeysFile': {
        const vals: string[] = [];
        for (let a = d.next(); a !== undefined; a = d.next()) {
          if (a === '') return c.error(`keyword ${kw} empty argument`, 'BAD_VALUE', true);
          vals.push(tildeExpand(a));
        }
        if (vals.length) d.firstLine([vals.join(' ')]);
        break;
      }
      case 'AuthenticationMethods': {
        let any = false;
        const vals: string[] = [];
        for (let a = d.next(); a !== undefined; a = d.next()) {
          if (a === 'any') {
            // servconf.c sAuthenticationMethods, 9.2p1: "any" after methods were recorded (by an
            // earlier active line of this pass) is fatal even on an inactive line. 10.0p1 counts
            // only this line's methods (nstrs), so a later "any" is accepted (found by the 10.0
            // differential test, seed 536190560: the same drop-in included twice).
            if (vals.length > 0 || (c.build.version < 10 && opts.isSet('authenticationmethods'))) return c.error(`"any" must appear alone in ${kw}`, 'BAD_VALUE');
            any = true;
          } else if (any) return c.error(`"any" must appear alone in ${kw}`, 'BAD_VALUE');
          else if (!validAuthMethods(a, c.build.gssKex)) return c.error(`invalid ${kw} method list.`, 'BAD_VALUE');
          vals.push(a);
        }
        if (vals.length === 0) return c.error(`no ${kw} specified`, 'MISSING_ARGUMENT');
        d.firstLine(vals);
        break;
      }
      case 'Subsystem': {
        const name = d.need('missing argument.');
        if (name === undefined) return;
        // 9.2p1: an inactive line reads one more argument (more are "extra arguments");
        // 10.0p1: argv_consume() of the rest, inactive or already defined
        const consumeAll = !c.build.duplicateSubsystemFatal;
        if (!active) { if (consumeAll) d.i = args.length; else d.next(); break; }
        const existing = opts.slots.get('subsystem')?.values.some((v) => v.split(' ')[0] === name);
        if (existing && c.build.duplicateSubsystemFatal) return c.error(`Subsystem '${name}' already defined.`, 'DUPLICATE_VALUE');
        if (existing) { d.i = args.length; opts.touch('subsystem', origin); break; }
        const cmd = d.next();
        if (cmd === undefined || cmd === '') return c.error('Missing subsystem command.', 'MISSING_ARGUMENT');
        // 10.0p1 re-quotes the command and its arguments (misc.c argv_assemble); 9.2p1 joins them
        const rest = [cmd, ...args.slice(d.i)].map((a) => (consumeAll ? argvAssemble(a) : a));
        d.i = args.length;
        if (existing) { opts.touch('subsystem', origin); break; }
        opts.set('subsystem', [`${name} ${rest.join(' ')}`], origin, 'append');
        break;
      }
      case 'MaxStartups': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        const m = /^([+-]?\d+)(?::([+-]?\d+)(?::([+-]?\d+))?)?/.exec(a.trim());
        if (!m) return c.error(`Invalid ${kw} spec.`, 'BAD_VALUE');
        const b = Number(m[1]);
        let v: string;
        if (m[3] !== undefined) {
          const r = Number(m[2]), f = Number(m[3]);
          if (b > f || r > 100 || r < 1 || f <= 0 || b <= 0) return c.error(`Invalid ${kw} spec.`, 'BAD_VALUE');
          v = `${b}:${r}:${f}`;
        } else if (m[2] !== undefined) return c.error(`Invalid ${kw} spec.`, 'BAD_VALUE');
        else {
          if (b <= 0) return c.error(`Invalid ${kw} spec.`, 'BAD_VALUE');
          // only begin and full are set; the rate keeps its previous value (default 30)
          const prev = opts.slots.get('maxstartups')?.values[0]?.split(':')[1] ?? '-1';
          v = `${b}:${prev}:${b}`;
        }
        d.last([v]);
        break;
      }
      case 'PerSourceNetBlockSize': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        const m = /^[ \t]*([+-]?\d+)(?::[ \t]*([+-]?\d+))?/.exec(a);
        if (!m) return c.error(`Invalid ${kw} spec.`, 'BAD_VALUE');
        const v4 = Number(m[1]);
        const v6 = m[2] === undefined ? undefined : Number(m[2]);
        if (v4 < 0 || v4 > 32 || (v6 !== undefined && (v6 < 0 || v6 > 128))) return c.error(`Invalid ${kw} spec.`, 'BAD_VALUE');
        // sscanf leaves value2 as initialised: 0 on Debian's 9.2p1 and 10.0p1 builds; unset (the
        // default 128 is filled in) on 10.6p1 (observed)
        d.last([`${v4}:${v6 ?? (c.build.version >= 10.6 ? 'UNSET' : 0)}`]);
        break;
      }
      case 'PerSourceMaxStartups': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        if (a === 'none') { if (c.build.perSourceMaxStartupsFirst) d.first(['none']); else d.last(['none']); break; }
        const v = atoiErr(a);
        if (v === undefined) return c.error(`${kw} integer value invalid.`, 'BAD_VALUE');
        const printed = v === 2147483647 ? 'none' : String(v);
        // 9.2p1 sets it on every active line; 10.0p1 keeps the first (per_source_max_startups == -1)
        if (c.build.perSourceMaxStartupsFirst) d.first([printed]); else d.last([printed]);
        break;
      }
      case 'AuthorizedPrincipalsFile':
      case 'ChrootDirectory':
      case 'AuthorizedKeysCommandUser':
      case 'AuthorizedPrincipalsCommandUser':
      case 'PAMServiceName':
      case 'PerSourcePenaltyExemptList': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        d.first([op === 'AuthorizedPrincipalsFile' ? tildeExpand(a) : a]);
        break;
      }
      case 'PermitTunnel': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        if (!TUN.includes(a)) return c.error(`bad ${kw} argument ${a}`, 'BAD_VALUE');
        d.first([a]);
        break;
      }
      case 'PermitOpen':
      case 'PermitListen': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        if (a === 'any' || a === 'none') { d.firstLine([a]); break; }
        const vals: string[] = [];
        for (let x: string | undefined = a; x !== undefined && x !== ''; x = d.next()) {
          let portText: string | undefined;
          let stored = x;
          if (op === 'PermitListen' && !x.includes(':')) { stored = `*:${x}`; portText = x; }
          else {
            const m = /^\[([^\]]*)\]:(.*)$/.exec(x) ?? /^([^:]*):(.*)$/.exec(x);
            if (!m && !/^\[[^\]]*\]$/.test(x) && x.includes(':') === false) return c.error(`${kw} missing host`, 'BAD_VALUE');
            portText = m?.[2];
          }
          if (portText === undefined || (portText !== '*' && a2port(portText) <= 0)) return c.error(`${kw} bad port number`, 'BAD_VALUE');
          vals.push(stored);
        }
        d.firstLine([vals.join(' ')]);
        break;
      }
      case 'ForceCommand':
      case 'VersionAddendum':
      case 'AuthorizedKeysCommand':
      case 'AuthorizedPrincipalsCommand': {
        const rest = line.rest.value;
        if (rest === '') return c.error(`${kw} missing argument.`, 'MISSING_ARGUMENT');
        if ((op === 'AuthorizedKeysCommand' || op === 'AuthorizedPrincipalsCommand') && !rest.startsWith('/') && rest.toLowerCase() !== 'none') return c.error(`${kw} must be an absolute path`, 'BAD_VALUE');
        d.i = args.length;
        if (op === 'VersionAddendum') { d.first([rest.toLowerCase() === 'none' ? 'none' : rest]); break; }
        // parse_command checks authorized_keys_command even for the principals command (9.2p1
        // quirk; 10.0p1 tests *charptr, so the first value wins as everywhere)
        if (op === 'AuthorizedPrincipalsCommand' && active && c.build.version < 10) {
          if (opts.isSet('authorizedkeyscommand')) { opts.touch(key, origin); break; }
          opts.set(key, [rest], origin, 'last');
          break;
        }
        d.first([rest]);
        break;
      }
      case 'SecurityKeyProvider': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        d.first([a.toLowerCase() === 'internal' ? a : derelativise(a, c.cwd)]);
        break;
      }
      case 'IPQoS': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        const ver = c.build.version;
        const v = parseIpqos(a, ver);
        if (v === undefined) return c.error(`Bad ${kw} value: ${a}`, 'BAD_VALUE');
        const b = d.next();
        const v2 = b === undefined ? v : parseIpqos(b, ver);
        if (v2 === undefined) return c.error(`Bad ${kw} value: ${b}`, 'BAD_VALUE');
        d.last([`${iptos2str(v, ver)} ${iptos2str(v2, ver)}`]);
        break;
      }
      case 'StreamLocalBindMask': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        const v = octalPrefix(a);
        if (v === undefined || v < 0 || v > 0o777) return c.error(`Invalid ${kw}.`, 'BAD_VALUE');
        d.last([`0${v.toString(8)}`]);
        break;
      }
      case 'FingerprintHash': {
        const a = d.need('missing argument.');
        if (a === undefined) return;
        const v = { md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512' }[a.toLowerCase()];
        if (v === undefined) return c.error(`Invalid ${kw} algorithm "${a}".`, 'BAD_VALUE');
        d.last([v]);
        break;
      }
      case 'RDomain':
        return c.error('setting RDomain not supported on this platform.', 'UNSUPPORTED_KEYWORD');
      case 'UnusedConnectionTimeout': {
        // servconf.c sUnusedConnectionTimeout: "none" sets 0 whenever active, even over an earlier value (9.2p1)
        if (args[0] !== undefined && args[0].toLowerCase() === 'none') { d.next(); d.last(['none']); break; }
        const a = d.need('missing time value.');
        if (a === undefined) return;
        const v = convtime(a);
        if (v === undefined) return c.error('invalid time value.', 'BAD_VALUE');
        d.first([v === 0 ? 'none' : String(v)]);
        break;
      }
      case 'PerSourcePenalties':
        return perSourcePenalties(c, d);
      case 'AgentSocketPath': {
        // 10.6p1 (observed): "none" or "user:PATH" relative to the user's home
        const a = d.need('missing argument.');
        if (a === undefined) return;
        if (a.toLowerCase() !== 'none') {
          if (!a.startsWith('user:')) return c.error('invalid path.', 'BAD_VALUE');
          if (a.length === 5) return c.error('invalid user path.', 'BAD_VALUE');
        }
        d.first([a.toLowerCase() === 'none' ? 'none' : a]);
        break;
      }
      default:
        return c.error(`Missing handler for opcode ${kw}`, 'UNKNOWN_KEYWORD');
    }
  }
  if (d.i < args.length) c.error(`keyword ${kw} extra arguments at end of line`, 'EXTRA_ARGUMENT', true);
}

/** sPerSourcePenalties: each field keeps its first active value (fields in the slot, see penalties.ts). */
function perSourcePenalties(c: LineContext, d: Directive): void {
  const r = parsePenalties(d.args, d.kw, c.build.penaltiesV2);
  d.i = d.args.length;
  if (!r.ok) return c.error(r.message, r.code);
  if (!c.active) return;
  const key = 'persourcepenalties';
  const s = c.opts.slots.get(key);
  const values = mergePenalties(s?.values, r.fields);
  if (!s) c.opts.set(key, values, c.origin, 'first');
  else {
    s.values = values;
    c.opts.touch(key, c.origin);
  }
}

/** misc.c argv_assemble (10.0p1) for one argument: \\ ' " escaped, quoted when it holds a blank or tab. */
export function argvAssemble(a: string): string {
  const body = a.replace(/[\\'"]/g, (c) => `\\${c}`);
  return /[ \t]/.test(a) ? `"${body}"` : body;
}

function validChannelTimeout(a: string): boolean {
  const eq = a.indexOf('=');
  if (eq <= 0) return false;
  return convtime(a.slice(eq + 1)) !== undefined;
}

function validUserPattern(a: string): boolean {
  // match.c match_user with a user@host pattern: the host part, when a CIDR-looking list, must parse.
  return !a.endsWith('@') || a.length > 1;
}

/** auth2.c authmethods[] (Debian builds add gssapi-keyex). */
const METHODS = ['none', 'publickey', 'gssapi-with-mic', 'password', 'keyboard-interactive', 'hostbased'];
/**
 * auth2.c auth2_methods_valid(list, 0): comma-separated method names; anything after a ':' is
 * cut off before the name is compared, whatever the method.
 */
function validAuthMethods(list: string, gssKex: boolean): boolean {
  if (list === '') return false;
  for (const m of list.split(',')) {
    const base = m.split(':')[0]!;
    if (!METHODS.includes(base) && !(gssKex && base === 'gssapi-keyex')) return false;
  }
  return true;
}

export { matchPatternList };
