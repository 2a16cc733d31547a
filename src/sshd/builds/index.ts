// Build profiles: what differs between OpenSSH builds for config evaluation: keyword set (via
// the keyword table's versions), defaults printed by `sshd -T`, algorithm lists, dump_config
// quirks. Each is checked against the real daemon: 9.2p1-debian against Debian 12's
// (1:9.2p1-2+deb12u*), 10.0p1-debian against Debian 13's (1:10.0p1-7+deb13u*, cached
// debootstrap root), 10.6p1-debian against Debian unstable's (1:10.6p1-1, cached root built by
// scripts/sid-root.sh), by `sshd -T` of an empty config and the seeded differential tests.
import { ALGS_100, ALGS_106, ALGS_92, type AlgorithmSet } from './algorithms.js';

export type BuildId = '9.2p1-debian' | '10.0p1-debian' | '10.6p1-debian';
export const BUILD_IDS: readonly BuildId[] = ['9.2p1-debian', '10.0p1-debian', '10.6p1-debian'];
/** Old names still accepted by getBuild (`10.6p1` was an upstream guess before the Debian build existed). */
export const BUILD_ALIASES: Readonly<Record<string, BuildId>> = { '10.6p1': '10.6p1-debian' };

export interface BuildProfile {
  readonly id: BuildId;
  /** major.minor as a number for keyword-table comparisons (9.2, 10.0, 10.6). */
  readonly version: number;
  readonly debian: boolean;
  readonly algorithms: AlgorithmSet;
  /** PERMIT_NO_PASSWD prints as "without-password" up to 10.0 (first entry of multistate_permitrootlogin). */
  readonly prohibitPasswordName: 'without-password' | 'prohibit-password';
  /** Subsystem duplicates are fatal (<= 9.4) instead of ignored. */
  readonly duplicateSubsystemFatal: boolean;
  /** PerSourceMaxStartups: first value wins (10.0p1) instead of the last active one (9.2p1). */
  readonly perSourceMaxStartupsFirst: boolean;
  /**
   * Keys copy_set_server_options copies from the Match pass over the global values (servconf.c
   * M_CP_INTOPT / M_CP_STROPT / COPY_MATCH_STRING_OPTS): a global-only keyword set again under
   * `Match all` is not copied.
   */
  readonly matchCopied: ReadonlySet<string>;
  /** Debian's GSSAPI key exchange patch: gssapikexalgorithms etc. */
  readonly gssKex: boolean;
  /** Default values that are simple strings (printed as `key value`). */
  readonly defaults: Readonly<Record<string, string>>;
  /** dump_config print order: keys (special keys included where they print). */
  readonly printOrder: readonly string[];
  /**
   * 10.4+: dump_config prints lookup_opcode_name(code), the keyword table's own spelling
   * ("PermitRootLogin", "Macs"), where older builds print lower case (servconf.c, 10.4p1).
   */
  readonly printNames: boolean;
  /** GSSAPI and Kerberos compiled in (Debian 13 yes; Debian unstable's 10.6p1 sshd no: "Unsupported option"). */
  readonly gssapi: boolean;
  /** Keys whose flag prints true/false instead of yes/no (10.6p1: TCPKeepAlive, WarnWeakCrypto). */
  readonly trueFalse: ReadonlySet<string>;
  /** What LogLevel QUIET prints: Debian's builds print SILENT (observed on 9.2p1, 10.0p1, 10.6p1). */
  readonly quietName: string;
  /** 10.5+ PerSourcePenalties: durations printed with %f, and an invaliduser penalty. */
  readonly penaltiesV2: boolean;
  /**
   * SSH_RELEASE as the binary holds it, what `Match version` (10.0+) matches against. Debian's
   * string names the package revision: the profile holds the one observed in its oracle.
   */
  readonly release: string;
  /**
   * `sshd -T -C` dies with SIGSEGV when a Match block sets a Subsystem and no global one exists
   * (observed on Debian 13's 1:10.0p1-7+deb13u4; Debian unstable's 10.6p1 prints the Match's).
   */
  readonly matchSubsystemCrash: boolean;
}

const COMMON_DEFAULTS: Record<string, string> = {
  addressfamily: 'any', usepam: 'no', logingracetime: '120', x11displayoffset: '10', maxauthtries: '6', maxsessions: '10',
  clientaliveinterval: '0', clientalivecountmax: '3', requiredrsasize: '1024', streamlocalbindmask: '0177',
  unusedconnectiontimeout: 'none', permitrootlogin: 'without-password', ignorerhosts: 'yes', ignoreuserknownhosts: 'no',
  hostbasedauthentication: 'no', hostbasedusesnamefrompacketonly: 'no', pubkeyauthentication: 'yes',
  kerberosauthentication: 'no', kerberosorlocalpasswd: 'yes', kerberosticketcleanup: 'yes', gssapiauthentication: 'no',
  gssapicleanupcredentials: 'yes', gssapikeyexchange: 'no', gssapistrictacceptorcheck: 'yes',
  gssapistorecredentialsonrekey: 'no',
  gssapikexalgorithms: 'gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-',
  passwordauthentication: 'yes', kbdinteractiveauthentication: 'yes', printmotd: 'yes', printlastlog: 'yes',
  x11forwarding: 'no', x11uselocalhost: 'yes', permittty: 'yes', permituserrc: 'yes', strictmodes: 'yes',
  tcpkeepalive: 'yes', permitemptypasswords: 'no', compression: 'yes', gatewayports: 'no', usedns: 'no',
  allowtcpforwarding: 'yes', allowagentforwarding: 'yes', disableforwarding: 'no', allowstreamlocalforwarding: 'yes',
  streamlocalbindunlink: 'no', fingerprinthash: 'SHA256', exposeauthinfo: 'no', pidfile: '/run/sshd.pid',
  modulifile: '/etc/ssh/moduli', xauthlocation: '/usr/bin/xauth', banner: 'none', forcecommand: 'none',
  chrootdirectory: 'none', trustedusercakeys: 'none', revokedkeys: 'none', securitykeyprovider: 'internal',
  authorizedprincipalsfile: 'none', versionaddendum: 'none', authorizedkeyscommand: 'none',
  authorizedkeyscommanduser: 'none', authorizedprincipalscommand: 'none', authorizedprincipalscommanduser: 'none',
  hostkeyagent: 'none', loglevel: 'INFO', syslogfacility: 'AUTH', authorizedkeysfile: '.ssh/authorized_keys .ssh/authorized_keys2',
  authenticationmethods: 'any', maxstartups: '10:30:100', persourcemaxstartups: 'none', persourcenetblocksize: '32:128',
  permittunnel: 'no', ipqos: 'lowdelay throughput', rekeylimit: '0 0', permitopen: 'any', permitlisten: 'any',
  permituserenvironment: 'no', pubkeyauthoptions: 'none',
  // 10.x
  pamservicename: 'sshd', refuseconnection: 'no', debianbanner: 'yes', sshdsessionpath: '/usr/lib/openssh/sshd-session',
  sshdauthpath: '/usr/lib/openssh/sshd-auth', persourcepenaltyexemptlist: 'none', channeltimeout: 'none',
  persourcepenalties: 'crash:90 authfail:5 noauth:1 grace-exceeded:10 refuseconnection:10 max:600 min:15 max-sources4:65536 max-sources6:65536 overflow:permissive overflow6:permissive',
};

// servconf.c copy_set_server_options + servconf.h COPY_MATCH_STRING_OPTS, OpenSSH 9.2p1
const COPIED_92 = [
  'passwordauthentication', 'gssapiauthentication', 'pubkeyauthentication', 'pubkeyauthoptions', 'kerberosauthentication', 'hostbasedauthentication',
  'hostbasedusesnamefrompacketonly', 'kbdinteractiveauthentication', 'permitrootlogin', 'permitemptypasswords', 'ignorerhosts', 'allowtcpforwarding',
  'allowstreamlocalforwarding', 'allowagentforwarding', 'disableforwarding', 'exposeauthinfo', 'permittunnel', 'gatewayports', 'streamlocalbindunlink',
  'x11displayoffset', 'x11forwarding', 'x11uselocalhost', 'permittty', 'permituserrc', 'maxsessions', 'maxauthtries', 'clientalivecountmax',
  'clientaliveinterval', 'ipqos', 'rekeylimit', 'rekeyinterval', 'loglevel', 'requiredrsasize', 'unusedconnectiontimeout', 'streamlocalbindmask',
  'banner', 'trustedusercakeys', 'revokedkeys', 'authorizedkeyscommand', 'authorizedkeyscommanduser', 'authorizedprincipalsfile',
  'authorizedprincipalscommand', 'authorizedprincipalscommanduser', 'hostbasedacceptedalgorithms', 'pubkeyacceptedalgorithms', 'casignaturealgorithms',
  'permituserenvironment', 'authorizedkeysfile', 'allowusers', 'denyusers', 'allowgroups', 'denygroups', 'acceptenv', 'setenv', 'authenticationmethods',
  'permitopen', 'permitlisten', 'channeltimeout', 'logverbose', 'forcecommand', 'chrootdirectory',
];
// 10.0p1 adds refuse_connection and the subsystem arrays
const COPIED_100 = [...COPIED_92, 'refuseconnection', 'subsystem'];

const ORDER_HEAD = ['port', 'addressfamily', 'listenaddress'];
const ORDER_INTS = ['logingracetime', 'x11displayoffset', 'maxauthtries', 'maxsessions', 'clientaliveinterval', 'clientalivecountmax', 'requiredrsasize', 'streamlocalbindmask', 'unusedconnectiontimeout',
  'permitrootlogin', 'ignorerhosts', 'ignoreuserknownhosts', 'hostbasedauthentication', 'hostbasedusesnamefrompacketonly', 'pubkeyauthentication',
  'kerberosauthentication', 'kerberosorlocalpasswd', 'kerberosticketcleanup'];
const ORDER_GSS = ['gssapiauthentication', 'gssapicleanupcredentials', 'gssapikeyexchange', 'gssapistrictacceptorcheck', 'gssapistorecredentialsonrekey', 'gssapikexalgorithms'];
const ORDER_FLAGS = ['passwordauthentication', 'kbdinteractiveauthentication', 'printmotd', 'printlastlog', 'x11forwarding', 'x11uselocalhost', 'permittty', 'permituserrc', 'strictmodes', 'tcpkeepalive',
  'permitemptypasswords', 'compression', 'gatewayports', 'usedns', 'allowtcpforwarding', 'allowagentforwarding', 'disableforwarding', 'allowstreamlocalforwarding', 'streamlocalbindunlink', 'fingerprinthash', 'exposeauthinfo'];
const ORDER_STRINGS = ['pidfile', 'modulifile', 'xauthlocation', 'ciphers', 'macs', 'banner', 'forcecommand', 'chrootdirectory', 'trustedusercakeys', 'revokedkeys', 'securitykeyprovider',
  'authorizedprincipalsfile', 'versionaddendum', 'authorizedkeyscommand', 'authorizedkeyscommanduser', 'authorizedprincipalscommand', 'authorizedprincipalscommanduser', 'hostkeyagent',
  'kexalgorithms', 'casignaturealgorithms', 'hostbasedacceptedalgorithms', 'hostkeyalgorithms', 'pubkeyacceptedalgorithms'];
const ORDER_TAIL = ['loglevel', 'syslogfacility', 'authorizedkeysfile', 'hostkey', 'hostcertificate', 'allowusers', 'denyusers', 'allowgroups', 'denygroups', 'acceptenv', 'setenv',
  'authenticationmethods', 'logverbose', 'channeltimeout', 'subsystem', 'maxstartups', 'persourcemaxstartups', 'persourcenetblocksize', 'permittunnel', 'ipqos', 'rekeylimit',
  'permitopen', 'permitlisten', 'permituserenvironment', 'pubkeyauthoptions'];

function order92(): string[] {
  return [...ORDER_HEAD, 'usepam', ...ORDER_INTS, ...ORDER_GSS, ...ORDER_FLAGS, ...ORDER_STRINGS, ...ORDER_TAIL];
}

function order100(debian: boolean): string[] {
  // Observed from Debian 13's `sshd -T`: pamservicename after usepam; refuseconnection and
  // debianbanner after exposeauthinfo; sshd{session,auth}path + persourcepenaltyexemptlist after
  // pubkeyacceptedalgorithms; channeltimeout always printed; persourcepenalties last.
  const flags = [...ORDER_FLAGS, 'refuseconnection', ...(debian ? ['debianbanner'] : [])];
  const strings = [...ORDER_STRINGS, 'sshdsessionpath', 'sshdauthpath', 'persourcepenaltyexemptlist'];
  return [...ORDER_HEAD, 'usepam', 'pamservicename', ...ORDER_INTS, ...(debian ? ORDER_GSS : ['gssapiauthentication', 'gssapicleanupcredentials', 'gssapistrictacceptorcheck']), ...flags, ...strings, ...ORDER_TAIL, 'persourcepenalties'];
}

/**
 * dump_config order of Debian unstable's 10.6p1 (observed; 10.5p1's dump_config): WarnWeakCrypto
 * after ExposeAuthInfo, AgentSocketPath after PerSourcePenaltyExemptList, RevokedKeys as a
 * one-line array after AuthorizedKeysFile, no GSSAPI/Kerberos keys (built without them).
 */
function order106(): string[] {
  const flags = [...ORDER_FLAGS.slice(0, ORDER_FLAGS.indexOf('exposeauthinfo') + 1), 'warnweakcrypto', 'refuseconnection', 'debianbanner'];
  const strings = [...ORDER_STRINGS.filter((k) => k !== 'revokedkeys'), 'sshdsessionpath', 'sshdauthpath', 'persourcepenaltyexemptlist', 'agentsocketpath'];
  const tail = ORDER_TAIL.flatMap((k) => (k === 'authorizedkeysfile' ? [k, 'revokedkeys'] : [k]));
  return [...ORDER_HEAD, 'usepam', 'pamservicename', ...ORDER_INTS.filter((k) => !k.startsWith('kerberos')), ...flags, ...strings, ...tail, 'persourcepenalties'];
}

const NO_TRUE_FALSE: ReadonlySet<string> = new Set();
const COMMON_V1 = { printNames: false, gssapi: true, trueFalse: NO_TRUE_FALSE, quietName: 'SILENT', penaltiesV2: false } as const;

export const BUILDS: Readonly<Record<BuildId, BuildProfile>> = {
  '9.2p1-debian': {
    id: '9.2p1-debian', version: 9.2, debian: true, algorithms: ALGS_92, prohibitPasswordName: 'without-password',
    duplicateSubsystemFatal: true, perSourceMaxStartupsFirst: false, matchCopied: new Set(COPIED_92), gssKex: true, defaults: { ...COMMON_DEFAULTS, ipqos: 'lowdelay throughput' }, printOrder: order92(), ...COMMON_V1, matchSubsystemCrash: false, release: 'OpenSSH_9.2p1 Debian-2+deb12u10',
  },
  '10.0p1-debian': {
    id: '10.0p1-debian', version: 10.0, debian: true, algorithms: ALGS_100, prohibitPasswordName: 'without-password',
    duplicateSubsystemFatal: false, perSourceMaxStartupsFirst: true, matchCopied: new Set(COPIED_100), gssKex: true, defaults: { ...COMMON_DEFAULTS, ipqos: 'ef cs1' }, printOrder: order100(true), ...COMMON_V1, matchSubsystemCrash: true, release: 'OpenSSH_10.0p2 Debian-7+deb13u4',
  },
  // Debian unstable 1:10.6p1-1: prints "prohibit-password" (multistate table reordered in 10.1),
  // keys in the table's case (10.4), built without GSSAPI/Kerberos (so no GSSAPI kex patch
  // keywords either), DebianBanner kept; defaults as its `sshd -T` of an empty config prints them.
  '10.6p1-debian': {
    id: '10.6p1-debian', version: 10.6, debian: true, algorithms: ALGS_106, prohibitPasswordName: 'prohibit-password',
    duplicateSubsystemFatal: false, perSourceMaxStartupsFirst: true, matchCopied: new Set([...COPIED_100, 'warnweakcrypto', 'agentsocketpath']), gssKex: false,
    defaults: {
      ...COMMON_DEFAULTS, ipqos: 'ef cs0', permitrootlogin: 'prohibit-password', tcpkeepalive: 'true', warnweakcrypto: 'true', agentsocketpath: 'user:.ssh/agent',
      pubkeyauthoptions: 'none max-pk-ok:6',
      persourcepenalties: 'crash:90.000000 authfail:5.000000 noauth:1.000000 invaliduser:5.000000 grace-exceeded:10.000000 refuseconnection:10.000000 max:600.000000 min:15.000000 max-sources4:65536 max-sources6:65536 overflow:permissive overflow6:permissive',
    },
    printOrder: order106(), printNames: true, gssapi: false, trueFalse: new Set(['tcpkeepalive', 'warnweakcrypto']), quietName: 'SILENT', penaltiesV2: true, matchSubsystemCrash: false, release: 'OpenSSH_10.6p1 Debian-1',
  },
};

/** A build by id or old alias (`10.6p1` -> 10.6p1-debian). */
export function getBuild(id: string): BuildProfile | undefined {
  return (BUILDS as Record<string, BuildProfile>)[BUILD_ALIASES[id] ?? id];
}

/** The profile for an upstream version number (9.2, 10.0, 10.6...): the nearest one at or below it. */
export function buildForVersion(n: number): BuildProfile {
  return n >= 10.6 ? BUILDS['10.6p1-debian'] : n >= 10.0 ? BUILDS['10.0p1-debian'] : BUILDS['9.2p1-debian'];
}

/**
 * The build from package metadata, without executing sshd: the openssh-server stanza of a dpkg
 * status file ("Version: 1:9.2p1-2+deb12u10" -> 9.2p1-debian). Unknown versions map to the
 * nearest profile at or below them; undefined when openssh-server is not installed.
 */
export function detectBuild(dpkgStatus: string | undefined): BuildProfile | undefined {
  if (!dpkgStatus) return undefined;
  for (const stanza of dpkgStatus.split(/\n\s*\n/)) {
    if (!/^Package: openssh-server$/m.test(stanza)) continue;
    if (!/^Status: .* installed$/m.test(stanza)) continue;
    const v = /^Version: (?:\d+:)?(\d+)\.(\d+)p\d+/m.exec(stanza);
    if (!v) return undefined;
    return buildForVersion(Number(v[1]) + Number(v[2]) / 10);
  }
  return undefined;
}
