// The credential model, one entry point for guards and audit: which ways in sshd would accept
// for an account from an address, and who must keep one. Pure: facts come from
// src/host/facts/access-facts.ts gatherAccessFacts (over any ReadOnlyFs, an overlay of
// predicted files included); effective configurations from the caller's evaluator
// (src/sshd/evaluate, e.g. LoadedHost.evaluate or a candidate's).
//
// API:
//   gatherAccessFacts({ exec, accounts, users, configs }) -> Promise<AccessFacts>   (host/facts)
//   waysIn(facts, configFor, spec) -> AccessVerdict   works | refused | unknown
//   candidateAddresses(configFiles, facts?, extra?) -> CandidateAddress[]   (no invented admin address)
//   waysInFromCandidates(facts, configFor, user, candidates, {laddr, lport}) -> { works, unknown, refused }
//   gatherAdminFacts({ exec, accounts }) -> AdminFacts (sudo, sudoers, sudo -l -U, last, auth.log)   (host/facts)
//   buildModelState({ exec, accounts, files, configFor, users, base, extraAddresses? }) -> ModelState { facts, configFor, candidates } (both passes done)
//   mustKeep({ accounts, admin, session, cluster, rootMayLogIn }) -> MustKeepEntry[] { account, addresses | 'any-admitted', why }
//   judgeKeep(keep, before: ModelState, after: ModelState, {laddr, lport}) -> KeepLoss[] (empty = everyone keeps a way in)
export { waysIn, methodLists, type ConfigFor } from './ways-in.js';
export { candidateAddresses, waysInFromCandidates, configAddressPatterns, keyAddressPatterns, sampleOf, type CandidateAddress, type SomeAddressResult } from './addresses.js';
export { strictModesProblem, readableBy } from './strict-modes.js';
export { matchHostAndIp } from '../sshd/access.js';
export { pubkeyWays, keyLineVerdict, keyOptionsProblem, parseAbsoluteTime, algorithmsForKeyType, type AcceptedKey, type PubkeyResult, type KeyLineVerdict, type KeyLineAcceptance } from './keys.js';
export { revocationOf, parseKrlDump } from './revoked.js';
export { pamStack } from './pam.js';
export type { AccessVerdict, Way, StepProof, KeyRef, SessionKind } from './types.js';
export { gatherAccessFacts, type AccessFacts, type GatherAccessInput, type UserFileFact, type RevokedKeysFact, type PathInfo } from '../host/facts/access-facts.js';
export { mustKeep, judgeKeep, rootMayLogIn, rootCapable, ADMIN_GROUPS, type MustKeepEntry, type MustKeepInput, type ModelState, type KeepLoss } from './must-keep.js';
export { parseSudoers, sudoListGrantsRoot, type SudoGrants } from './sudoers.js';
export { loginAddresses } from './login-history.js';
export { gatherAdminFacts, type AdminFacts, type GatherAdminInput } from '../host/facts/admin-facts.js';
export { buildModelState, type ModelStateInput } from './model-state.js';
