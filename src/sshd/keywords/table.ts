// The one keyword table of sshd_config(5), OpenSSH 9.2p1 through 10.x: for every keyword sshd's
// servconf.c keywords[] knows (plus aliases), the slot (opcode) it sets, whether it is allowed
// inside Match (SSHCFG_ALL), how repeated values combine, and in which builds it exists. Checked
// against servconf.c of 9.2p1-2+deb12u10, 10.0p1-7+deb13u4 and upstream 10.3p1. Data only: value
// parsing lives in src/sshd/evaluate, lookups in ./index.ts. Nothing else compares keyword text.

/** How repeated directives combine (servconf.c process_server_config_line_depth). */
export type Merge =
  | 'first' // first value wins (`if (*activep && *intptr == -1)`)
  | 'last' // each active line overwrites (MaxStartups, PerSourceNetBlockSize, IPQoS, ...)
  | 'accumulate' // every active line appends (AllowUsers, AcceptEnv, HostKey, Port, ...)
  | 'first-line' // the first active line's list wins whole (AuthorizedKeysFile, SetEnv, PermitOpen, ...)
  | 'none'; // no value (Match, Include, deprecated/ignored keywords)

export type Status = 'supported' | 'deprecated' | 'unsupported' | 'ignored';

export interface KeywordSpec {
  /** Canonical spelling (sshd_config(5)). */
  readonly name: string;
  /** servconf.c opcode without the leading "s" (aliases share it, e.g. KbdInteractiveAuthentication). */
  readonly opcode: string;
  /** Allowed inside Match (SSHCFG_ALL). */
  readonly inMatch: boolean;
  readonly merge: Merge;
  /** Key that `sshd -T` prints, when it prints one. */
  readonly dumpKey?: string;
  /** First version that knows it (default 9.2: older history is out of scope). */
  readonly since?: number;
  /** First version that no longer knows it: "Bad configuration option" from then on. */
  readonly removedIn?: number;
  /** Only in Debian's patched builds. */
  readonly debianOnly?: boolean;
  /** Status when not 'supported' (sDeprecated, sUnsupported, sIgnore), possibly per version. */
  readonly status?: Status;
  /** Overrides from a version on: [version, status]. */
  readonly statusFrom?: readonly (readonly [number, Status])[];
  /** Overrides of inMatch from a version on. */
  readonly inMatchFrom?: number;
  /** Canonical name of the keyword this one aliases. */
  readonly aliasOf?: string;
  /**
   * Exists only where GSSAPI/Kerberos is compiled in: elsewhere "Unsupported option" (upstream's
   * SSHCONF_UNSUPPORTED_INT, 10.4p1) or, for Debian's GSSAPI key exchange patch, unknown.
   */
  readonly gss?: boolean;
}

type Row = [name: string, opcode: string, inMatch: 0 | 1, merge: Merge, extra?: Partial<KeywordSpec>];

const ROWS: Row[] = [
  ['UsePAM', 'UsePAM', 0, 'first', { dumpKey: 'usepam' }],
  ['PAMServiceName', 'PAMServiceName', 1, 'first', { dumpKey: 'pamservicename', since: 10.0 }],
  ['PAMAuthenticationViaKbdInt', 'Deprecated', 0, 'none', { status: 'deprecated', removedIn: 10.4 }],
  ['Port', 'Port', 0, 'accumulate', { dumpKey: 'port' }],
  ['HostKey', 'HostKeyFile', 0, 'accumulate', { dumpKey: 'hostkey' }],
  ['HostDSAKey', 'HostKeyFile', 0, 'accumulate', { dumpKey: 'hostkey', aliasOf: 'HostKey' }],
  ['HostKeyAgent', 'HostKeyAgent', 0, 'first', { dumpKey: 'hostkeyagent' }],
  ['PidFile', 'PidFile', 0, 'first', { dumpKey: 'pidfile' }],
  ['ModuliFile', 'ModuliFile', 0, 'first', { dumpKey: 'modulifile' }],
  ['ServerKeyBits', 'Deprecated', 0, 'none', { status: 'deprecated' }],
  ['LoginGraceTime', 'LoginGraceTime', 0, 'first', { dumpKey: 'logingracetime' }],
  ['KeyRegenerationInterval', 'Deprecated', 0, 'none', { status: 'deprecated' }],
  ['PermitRootLogin', 'PermitRootLogin', 1, 'first', { dumpKey: 'permitrootlogin' }],
  ['SyslogFacility', 'LogFacility', 0, 'first', { dumpKey: 'syslogfacility' }],
  ['LogLevel', 'LogLevel', 1, 'first', { dumpKey: 'loglevel' }],
  ['LogVerbose', 'LogVerbose', 1, 'first-line', { dumpKey: 'logverbose' }],
  ['RhostsAuthentication', 'Deprecated', 0, 'none', { status: 'deprecated' }],
  ['RhostsRSAAuthentication', 'Deprecated', 1, 'none', { status: 'deprecated' }],
  ['HostbasedAuthentication', 'HostbasedAuthentication', 1, 'first', { dumpKey: 'hostbasedauthentication' }],
  ['HostbasedUsesNameFromPacketOnly', 'HostbasedUsesNameFromPacketOnly', 1, 'first', { dumpKey: 'hostbasedusesnamefrompacketonly' }],
  ['HostbasedAcceptedAlgorithms', 'HostbasedAcceptedAlgorithms', 1, 'first', { dumpKey: 'hostbasedacceptedalgorithms' }],
  ['HostbasedAcceptedKeyTypes', 'HostbasedAcceptedAlgorithms', 1, 'first', { dumpKey: 'hostbasedacceptedalgorithms', aliasOf: 'HostbasedAcceptedAlgorithms' }],
  ['HostKeyAlgorithms', 'HostKeyAlgorithms', 0, 'first', { dumpKey: 'hostkeyalgorithms' }],
  ['RSAAuthentication', 'Deprecated', 1, 'none', { status: 'deprecated' }],
  ['PubkeyAuthentication', 'PubkeyAuthentication', 1, 'first', { dumpKey: 'pubkeyauthentication' }],
  ['PubkeyAcceptedAlgorithms', 'PubkeyAcceptedAlgorithms', 1, 'first', { dumpKey: 'pubkeyacceptedalgorithms' }],
  ['PubkeyAcceptedKeyTypes', 'PubkeyAcceptedAlgorithms', 1, 'first', { dumpKey: 'pubkeyacceptedalgorithms', aliasOf: 'PubkeyAcceptedAlgorithms' }],
  ['PubkeyAuthOptions', 'PubkeyAuthOptions', 1, 'first', { dumpKey: 'pubkeyauthoptions' }],
  ['DSAAuthentication', 'PubkeyAuthentication', 0, 'first', { dumpKey: 'pubkeyauthentication', aliasOf: 'PubkeyAuthentication' }],
  ['KerberosAuthentication', 'KerberosAuthentication', 1, 'first', { dumpKey: 'kerberosauthentication', gss: true }],
  ['KerberosOrLocalPasswd', 'KerberosOrLocalPasswd', 0, 'first', { dumpKey: 'kerberosorlocalpasswd', gss: true }],
  ['KerberosTicketCleanup', 'KerberosTicketCleanup', 0, 'first', { dumpKey: 'kerberosticketcleanup', gss: true }],
  ['KerberosGetAFSToken', 'Unsupported', 0, 'none', { status: 'unsupported' }],
  ['KerberosTgtPassing', 'Unsupported', 0, 'none', { status: 'unsupported', statusFrom: [[10.4, 'deprecated']] }],
  ['AFSTokenPassing', 'Unsupported', 0, 'none', { status: 'unsupported', statusFrom: [[10.4, 'deprecated']] }],
  ['GSSAPIAuthentication', 'GssAuthentication', 1, 'first', { dumpKey: 'gssapiauthentication', gss: true }],
  ['GSSAPICleanupCredentials', 'GssCleanupCreds', 0, 'first', { dumpKey: 'gssapicleanupcredentials', gss: true }],
  ['GSSAPICleanupCreds', 'GssCleanupCreds', 0, 'first', { dumpKey: 'gssapicleanupcredentials', aliasOf: 'GSSAPICleanupCredentials', debianOnly: true, gss: true }],
  ['GSSAPIStrictAcceptorCheck', 'GssStrictAcceptor', 0, 'first', { dumpKey: 'gssapistrictacceptorcheck', gss: true }],
  ['GSSAPIKeyExchange', 'GssKeyEx', 0, 'first', { dumpKey: 'gssapikeyexchange', debianOnly: true, gss: true }],
  ['GSSAPIStoreCredentialsOnRekey', 'GssStoreRekey', 0, 'first', { dumpKey: 'gssapistorecredentialsonrekey', debianOnly: true, gss: true }],
  ['GSSAPIKexAlgorithms', 'GssKexAlgorithms', 0, 'first', { dumpKey: 'gssapikexalgorithms', debianOnly: true, gss: true }],
  ['GSSUseSessionCCache', 'Unsupported', 0, 'none', { status: 'unsupported', debianOnly: true, gss: true }],
  ['GSSAPIUseSessionCredCache', 'Unsupported', 0, 'none', { status: 'unsupported', debianOnly: true, gss: true }],
  // 10.3p1+: a real flag where GSSAPI is compiled in (servconf.h SSHD_CONFIG_ENTRIES_GSS, 10.5p1:
  // gss_deleg_creds, global, default yes); "Unsupported option" on Debian unstable's sshd (no GSSAPI)
  ['GSSAPIDelegateCredentials', 'GssDelegateCreds', 0, 'first', { dumpKey: 'gssapidelegatecredentials', since: 10.3, gss: true }],
  ['PasswordAuthentication', 'PasswordAuthentication', 1, 'first', { dumpKey: 'passwordauthentication' }],
  ['KbdInteractiveAuthentication', 'KbdInteractiveAuthentication', 1, 'first', { dumpKey: 'kbdinteractiveauthentication' }],
  ['ChallengeResponseAuthentication', 'KbdInteractiveAuthentication', 1, 'first', { dumpKey: 'kbdinteractiveauthentication', aliasOf: 'KbdInteractiveAuthentication' }],
  ['SkeyAuthentication', 'KbdInteractiveAuthentication', 1, 'first', { dumpKey: 'kbdinteractiveauthentication', aliasOf: 'KbdInteractiveAuthentication' }],
  ['CheckMail', 'Deprecated', 0, 'none', { status: 'deprecated' }],
  ['ListenAddress', 'ListenAddress', 0, 'accumulate', { dumpKey: 'listenaddress' }],
  ['AddressFamily', 'AddressFamily', 0, 'first', { dumpKey: 'addressfamily' }],
  ['PrintMotd', 'PrintMotd', 0, 'first', { dumpKey: 'printmotd' }],
  ['PrintLastLog', 'PrintLastLog', 0, 'first', { dumpKey: 'printlastlog' }],
  ['IgnoreRhosts', 'IgnoreRhosts', 1, 'first', { dumpKey: 'ignorerhosts' }],
  ['IgnoreUserKnownHosts', 'IgnoreUserKnownHosts', 0, 'first', { dumpKey: 'ignoreuserknownhosts' }],
  ['X11Forwarding', 'X11Forwarding', 1, 'first', { dumpKey: 'x11forwarding' }],
  ['X11DisplayOffset', 'X11DisplayOffset', 1, 'first', { dumpKey: 'x11displayoffset' }],
  ['X11UseLocalhost', 'X11UseLocalhost', 1, 'first', { dumpKey: 'x11uselocalhost' }],
  ['XAuthLocation', 'XAuthLocation', 0, 'first', { dumpKey: 'xauthlocation' }],
  ['StrictModes', 'StrictModes', 0, 'first', { dumpKey: 'strictmodes' }],
  ['PermitBlacklistedKeys', 'Deprecated', 0, 'none', { status: 'deprecated', debianOnly: true, removedIn: 10.3 }],
  ['PermitEmptyPasswords', 'EmptyPasswd', 1, 'first', { dumpKey: 'permitemptypasswords' }],
  ['PermitUserEnvironment', 'PermitUserEnvironment', 0, 'first', { dumpKey: 'permituserenvironment' }],
  ['UseLogin', 'Deprecated', 0, 'none', { status: 'deprecated' }],
  ['Compression', 'Compression', 0, 'first', { dumpKey: 'compression' }],
  ['RekeyLimit', 'RekeyLimit', 1, 'first', { dumpKey: 'rekeylimit' }],
  ['TCPKeepAlive', 'TCPKeepAlive', 0, 'first', { dumpKey: 'tcpkeepalive' }],
  ['KeepAlive', 'TCPKeepAlive', 0, 'first', { dumpKey: 'tcpkeepalive', aliasOf: 'TCPKeepAlive' }],
  ['AllowTcpForwarding', 'AllowTcpForwarding', 1, 'first', { dumpKey: 'allowtcpforwarding' }],
  ['AllowAgentForwarding', 'AllowAgentForwarding', 1, 'first', { dumpKey: 'allowagentforwarding' }],
  ['AllowUsers', 'AllowUsers', 1, 'accumulate', { dumpKey: 'allowusers' }],
  ['DenyUsers', 'DenyUsers', 1, 'accumulate', { dumpKey: 'denyusers' }],
  ['AllowGroups', 'AllowGroups', 1, 'accumulate', { dumpKey: 'allowgroups' }],
  ['DenyGroups', 'DenyGroups', 1, 'accumulate', { dumpKey: 'denygroups' }],
  ['Ciphers', 'Ciphers', 0, 'first', { dumpKey: 'ciphers' }],
  ['MACs', 'Macs', 0, 'first', { dumpKey: 'macs' }],
  ['Protocol', 'Ignore', 0, 'none', { status: 'ignored' }],
  ['GatewayPorts', 'GatewayPorts', 1, 'first', { dumpKey: 'gatewayports' }],
  // Subsystem: SSHCFG_GLOBAL and duplicates fatal in 9.2; SSHCFG_ALL from 9.5 (duplicates then ignored).
  ['Subsystem', 'Subsystem', 0, 'accumulate', { dumpKey: 'subsystem', inMatchFrom: 9.5 }],
  ['MaxStartups', 'MaxStartups', 0, 'last', { dumpKey: 'maxstartups' }],
  ['PerSourceMaxStartups', 'PerSourceMaxStartups', 0, 'last', { dumpKey: 'persourcemaxstartups' }],
  ['PerSourceNetBlockSize', 'PerSourceNetBlockSize', 0, 'last', { dumpKey: 'persourcenetblocksize' }],
  ['PerSourcePenalties', 'PerSourcePenalties', 0, 'accumulate', { dumpKey: 'persourcepenalties', since: 9.8 }],
  ['PerSourcePenaltyExemptList', 'PerSourcePenaltyExemptList', 0, 'first', { dumpKey: 'persourcepenaltyexemptlist', since: 9.8 }],
  ['MaxAuthTries', 'MaxAuthTries', 1, 'first', { dumpKey: 'maxauthtries' }],
  ['MaxSessions', 'MaxSessions', 1, 'first', { dumpKey: 'maxsessions' }],
  ['Banner', 'Banner', 1, 'first', { dumpKey: 'banner' }],
  ['UseDNS', 'UseDNS', 0, 'first', { dumpKey: 'usedns' }],
  ['VerifyReverseMapping', 'Deprecated', 0, 'none', { status: 'deprecated' }],
  ['ReverseMappingCheck', 'Deprecated', 0, 'none', { status: 'deprecated' }],
  ['ClientAliveInterval', 'ClientAliveInterval', 1, 'first', { dumpKey: 'clientaliveinterval' }],
  ['ClientAliveCountMax', 'ClientAliveCountMax', 1, 'first', { dumpKey: 'clientalivecountmax' }],
  ['AuthorizedKeysFile', 'AuthorizedKeysFile', 1, 'first-line', { dumpKey: 'authorizedkeysfile' }],
  ['AuthorizedKeysFile2', 'Deprecated', 1, 'none', { status: 'deprecated' }],
  ['UsePrivilegeSeparation', 'Deprecated', 0, 'none', { status: 'deprecated' }],
  ['AcceptEnv', 'AcceptEnv', 1, 'accumulate', { dumpKey: 'acceptenv' }],
  ['SetEnv', 'SetEnv', 1, 'first-line', { dumpKey: 'setenv' }],
  ['PermitTunnel', 'PermitTunnel', 1, 'first', { dumpKey: 'permittunnel' }],
  ['PermitTTY', 'PermitTTY', 1, 'first', { dumpKey: 'permittty' }],
  ['PermitUserRC', 'PermitUserRC', 1, 'first', { dumpKey: 'permituserrc' }],
  ['Match', 'Match', 1, 'none'],
  ['PermitOpen', 'PermitOpen', 1, 'first-line', { dumpKey: 'permitopen' }],
  ['PermitListen', 'PermitListen', 1, 'first-line', { dumpKey: 'permitlisten' }],
  ['ForceCommand', 'ForceCommand', 1, 'first', { dumpKey: 'forcecommand' }],
  ['ChrootDirectory', 'ChrootDirectory', 1, 'first', { dumpKey: 'chrootdirectory' }],
  ['HostCertificate', 'HostCertificate', 0, 'accumulate', { dumpKey: 'hostcertificate' }],
  ['RevokedKeys', 'RevokedKeys', 1, 'first', { dumpKey: 'revokedkeys' }],
  ['TrustedUserCAKeys', 'TrustedUserCAKeys', 1, 'first', { dumpKey: 'trustedusercakeys' }],
  ['AuthorizedPrincipalsFile', 'AuthorizedPrincipalsFile', 1, 'first', { dumpKey: 'authorizedprincipalsfile' }],
  ['KexAlgorithms', 'KexAlgorithms', 0, 'first', { dumpKey: 'kexalgorithms' }],
  ['Include', 'Include', 1, 'none'],
  ['IPQoS', 'IPQoS', 1, 'last', { dumpKey: 'ipqos' }],
  ['AuthorizedKeysCommand', 'AuthorizedKeysCommand', 1, 'first', { dumpKey: 'authorizedkeyscommand' }],
  ['AuthorizedKeysCommandUser', 'AuthorizedKeysCommandUser', 1, 'first', { dumpKey: 'authorizedkeyscommanduser' }],
  ['AuthorizedPrincipalsCommand', 'AuthorizedPrincipalsCommand', 1, 'first', { dumpKey: 'authorizedprincipalscommand' }],
  ['AuthorizedPrincipalsCommandUser', 'AuthorizedPrincipalsCommandUser', 1, 'first', { dumpKey: 'authorizedprincipalscommanduser' }],
  ['VersionAddendum', 'VersionAddendum', 0, 'first', { dumpKey: 'versionaddendum' }],
  ['AuthenticationMethods', 'AuthenticationMethods', 1, 'first-line', { dumpKey: 'authenticationmethods' }],
  ['StreamLocalBindMask', 'StreamLocalBindMask', 1, 'last', { dumpKey: 'streamlocalbindmask' }],
  ['StreamLocalBindUnlink', 'StreamLocalBindUnlink', 1, 'first', { dumpKey: 'streamlocalbindunlink' }],
  ['AllowStreamLocalForwarding', 'AllowStreamLocalForwarding', 1, 'first', { dumpKey: 'allowstreamlocalforwarding' }],
  ['FingerprintHash', 'FingerprintHash', 0, 'last', { dumpKey: 'fingerprinthash' }],
  ['DisableForwarding', 'DisableForwarding', 1, 'first', { dumpKey: 'disableforwarding' }],
  ['ExposeAuthInfo', 'ExposeAuthInfo', 1, 'first', { dumpKey: 'exposeauthinfo' }],
  // RDomain: Linux builds lack HAVE_SYS_SET_PROCESS_RDOMAIN, so any use is fatal (servconf.c sRDomain).
  ['RDomain', 'RDomain', 1, 'first', {}],
  ['CASignatureAlgorithms', 'CASignatureAlgorithms', 1, 'first', { dumpKey: 'casignaturealgorithms' }],
  ['SecurityKeyProvider', 'SecurityKeyProvider', 0, 'first', { dumpKey: 'securitykeyprovider' }],
  ['RequiredRSASize', 'RequiredRSASize', 1, 'first', { dumpKey: 'requiredrsasize' }],
  ['ChannelTimeout', 'ChannelTimeout', 1, 'first-line', { dumpKey: 'channeltimeout' }],
  ['UnusedConnectionTimeout', 'UnusedConnectionTimeout', 1, 'first', { dumpKey: 'unusedconnectiontimeout' }],
  ['SshdSessionPath', 'SshdSessionPath', 0, 'first', { dumpKey: 'sshdsessionpath', since: 9.8 }],
  ['SshdAuthPath', 'SshdAuthPath', 0, 'first', { dumpKey: 'sshdauthpath', since: 10.0 }],
  ['RefuseConnection', 'RefuseConnection', 1, 'first', { dumpKey: 'refuseconnection', since: 10.0 }],
  ['DebianBanner', 'DebianBanner', 0, 'first', { dumpKey: 'debianbanner', debianOnly: true }],
  // 10.6p1 (observed on Debian's 1:10.6p1-1): global-only flag printed true/false; per-user agent
  // socket location ("none" or "user:PATH"), allowed in Match.
  ['WarnWeakCrypto', 'WarnWeakCrypto', 0, 'first', { dumpKey: 'warnweakcrypto', since: 10.6 }],
  ['AgentSocketPath', 'AgentSocketPath', 1, 'first', { dumpKey: 'agentsocketpath', since: 10.6 }],
];

export const KEYWORDS: readonly KeywordSpec[] = ROWS.map(([name, opcode, inMatch, merge, extra]) => ({
  name,
  opcode,
  inMatch: inMatch === 1,
  merge,
  ...extra,
}));

/**
 * ssh_config(5)-only keywords people paste into sshd_config. sshd has no entry for them, so
 * parse_token reports "Bad configuration option" and sshd refuses to start (9.2p1 and later).
 */
export const CLIENT_ONLY_KEYWORDS: readonly string[] = [
  'ObscureKeystrokeTiming', 'UseRoaming', 'StrictHostKeyChecking', 'UserKnownHostsFile', 'IdentityFile',
  'ForwardAgent', 'ForwardX11', 'ProxyCommand', 'ProxyJump', 'ServerAliveInterval', 'ServerAliveCountMax',
  'HashKnownHosts', 'SendEnv', 'ControlMaster', 'ControlPath', 'ControlPersist', 'BatchMode', 'Hostname',
  'User', 'IdentitiesOnly', 'VerifyHostKeyDNS', 'UpdateHostKeys', 'AddKeysToAgent', 'CanonicalizeHostname',
];
