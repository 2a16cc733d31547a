// Build profiles: what differs between OpenSSH builds for config evaluation: keyword set (via
// the keyword table's versions), defaults printed by `sshd -T`, algorithm lists, dump_config
// quirks. 9.2p1-debian and 10.0p1-debian are checked against the real daemons (Debian 12 and
// 13, `sshd -T` of an empty config); 10.6p1 is INFERRED from upstream 10.3p1 sources plus the
// 10.4-10.6 release notes, without a binary to check against: treat it as best effort.
import { ALGS_100, ALGS_92, type AlgorithmSet } from './algorithms.js';

export type BuildId = '9.2p1-debian' | '10.0p1-debian' | '10.6p1';
export const BUILD_IDS: readonly BuildId[] = ['9.2p1-debian', '10.0p1-debian', '10.6p1'];

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

export const BUILDS: Readonly<Record<BuildId, BuildProfile>> = {
  '9.2p1-debian': {
    id: '9.2p1-debian', version: 9.2, debian: true, algorithms: ALGS_92, prohibitPasswordName: 'without-password',
    duplicateSubsystemFatal: true, perSourceMaxStartupsFirst: false, matchCopied: new Set(COPIED_92), gssKex: true, defaults: { ...COMMON_DEFAULTS, ipqos: 'lowdelay throughput' }, printOrder: order92(),
  },
  '10.0p1-debian': {
    id: '10.0p1-debian', version: 10.0, debian: true, algorithms: ALGS_100, prohibitPasswordName: 'without-password',
    duplicateSubsystemFatal: false, perSourceMaxStartupsFirst: true, matchCopied: new Set(COPIED_100), gssKex: true, defaults: { ...COMMON_DEFAULTS, ipqos: 'ef cs1' }, printOrder: order100(true),
  },
  // INFERRED (no binary): upstream prints "prohibit-password" from 10.1 (multistate table reordered),
  // no Debian GSSAPI kex patch, no DebianBanner; defaults as 10.3p1's servconf.c.
  '10.6p1': {
    id: '10.6p1', version: 10.6, debian: false, algorithms: ALGS_100, prohibitPasswordName: 'prohibit-password',
    duplicateSubsystemFatal: false, perSourceMaxStartupsFirst: true, matchCopied: new Set(COPIED_100), gssKex: false,
    defaults: { ...COMMON_DEFAULTS, ipqos: 'ef cs1', permitrootlogin: 'prohibit-password', sshdsessionpath: '/usr/libexec/sshd-session', sshdauthpath: '/usr/libexec/sshd-auth', pidfile: '/var/run/sshd.pid', xauthlocation: '/usr/X11R6/bin/xauth' },
    printOrder: order100(false),
  },
};

export function getBuild(id: string): BuildProfile | undefined {
  return (BUILDS as Record<string, BuildProfile>)[id];
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
    const n = Number(v[1]) + Number(v[2]) / 10;
    if (n >= 10.6) return BUILDS['10.6p1'];
    if (n >= 10.0) return BUILDS['10.0p1-debian'];
    return BUILDS['9.2p1-debian'];
  }
  return undefined;
}
