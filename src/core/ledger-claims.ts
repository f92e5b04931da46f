/**
 * The ledger's claims and entries (see ledger.ts): what they are, how a claim is told well-formed,
 * what a signature covers. Kept free of the schema library, like the verifier (ledger-verifier.ts),
 * so the widget, which verifies its own settings with the ledger's very rules (widget-chain.ts),
 * stays small: member claims are checked here by hand, each setting's value by the check its
 * caller passes.
 */
import { sha256, toBase64Url, utf8 } from './bytes.ts';
import type { SavedReply } from './saved-replies.ts';
import type { ScoringRules } from './scoring.ts';
import type { WidgetConfig } from './widget-settings.ts';

export type Role = 'owner' | 'admin' | 'agent';
export const ROLES: readonly Role[] = ['owner', 'admin', 'agent'];

/** The public half of a member's ECDSA P-256 signing key, reduced to what identifies it. */
export interface PublicKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A member's record: written by the member on joining or renaming, by admins for roles. */
export interface MemberClaim {
  kind: 'member';
  member: string;
  name: string;
  role: Role;
  key: PublicKey;
  /**
   * The member's own encryption public key (a raw P-256 point, base64url): what a new team
   * secret is sealed to when the team secret changes, so that only members can open it. Only
   * the member sets it; records from before it existed have none.
   */
  box?: string;
  /**
   * When the owner demotes an admin: the ids of that admin's entries made with admin rights
   * that the owner accepts. Any other such entry of theirs dated before the demotion counts for
   * nothing: a demoted admin cannot sign one "from before". (Older records have none.)
   */
  keep?: string[];
  at: number;
}

/**
 * A member removed for good, by the owner or an admin: the team secret changes (to `epoch`),
 * sealed to each remaining member's own key (see member-box.ts), and the relay's read token
 * with it (`tokenHash`, what the relay is told to switch to). The removed member opens none
 * of it, and cannot rejoin under the same id.
 */
export interface RemovalClaim {
  kind: 'removal';
  member: string;
  /** The new team secret's number: one more than the team's current one. */
  epoch: number;
  /** SHA-256 (hex) of the read token the new secret makes. */
  tokenHash: string;
  /** The new secret, sealed to each remaining member with a published key, by member id. */
  secrets: Record<string, string>;
  /** As for a demotion (see MemberClaim.keep), when the owner removes an admin. */
  keep?: string[];
  at: number;
}

export const NAME_MAX = 80;

export const RETENTION_DAYS = [1, 7, 14, 30] as const;
export type RetentionDays = (typeof RETENTION_DAYS)[number];

/**
 * The workspace's own data, signed by the owner: its name and the intake key pair visitors'
 * events are sealed to (the private half is what lets members open them).
 */
export interface WorkspaceInfo {
  name: string;
  intakePublicKey: string;
  intakePrivateKey: JsonWebKey;
  createdAt: number;
}

/** Admin-only settings and their defaults. */
export interface Settings {
  /** Days without activity after which never-engaged L1 visitors are removed. */
  retentionDays: RetentionDays;
  /** High-intent paths and the points of each signal. */
  scoringRules: ScoringRules;
  widget: WidgetConfig;
  /** The team's saved replies, in the admin's order. */
  savedReplies: SavedReply[];
  /** Null until the owner's signed record of it has arrived (a member who just joined). */
  workspace: WorkspaceInfo | null;
}
export interface SettingClaim<K extends keyof Settings = keyof Settings> {
  kind: 'setting';
  name: K;
  value: Settings[K];
  at: number;
}

export type Claim = MemberClaim | SettingClaim | RemovalClaim;

/** What the doc stores: the claim as signed text, who signed it and the signature. */
export interface Entry {
  by: string;
  claim: string;
  sig: string;
}

export interface Member {
  id: string;
  name: string;
  role: Role;
  key: PublicKey;
  /** Their encryption key (see MemberClaim.box), once they have published one. */
  box?: string;
  joinedAt: number;
}

/** The team as the verified ledger says it is. */
export interface Team<S = Settings> {
  members: Member[];
  settings: S;
  /** The team secret's number: 1 until a member is removed, one more at each removal. */
  epoch: number;
  /** The removal that made the current secret (what a member opens their new secret from). */
  removal: RemovalClaim | undefined;
  /** Entries ignored: bad signature, no authority, malformed, not stored under their hash. */
  rejected: number;
  /** Entries that passed, by id: what a peer restores if they disappear. */
  accepted: Map<string, Entry>;
}

// ---------------------------------------------------------------------------------------------
// What a well-formed claim is. Claims are checked as they were signed, never rewritten: these
// checks only say yes or no, and the parsed claim itself is what gets applied.

/** Says whether a value is well-formed. */
export type Check = (value: unknown) => boolean;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const isString = (value: unknown): value is string => typeof value === 'string';
export const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** A person's name in a claim: not blank, at most NAME_MAX characters. */
export const isPersonName = (value: unknown): boolean =>
  isString(value) && value.trim() !== '' && value.length <= NAME_MAX;

const isKeep = (keep: unknown): boolean =>
  keep === undefined || (Array.isArray(keep) && keep.length <= 10_000 && keep.every(isString));

function isMemberClaim(claim: Record<string, unknown>): boolean {
  const { key, box } = claim;
  return (
    isString(claim.member) &&
    isPersonName(claim.name) &&
    ROLES.includes(claim.role as Role) &&
    isRecord(key) &&
    key.kty === 'EC' &&
    key.crv === 'P-256' &&
    isString(key.x) &&
    isString(key.y) &&
    (box === undefined || (isString(box) && /^[A-Za-z0-9_-]{80,100}$/.test(box))) &&
    isKeep(claim.keep) &&
    isFiniteNumber(claim.at)
  );
}

export const isEntry = (value: unknown): value is Entry =>
  isRecord(value) && isString(value.by) && isString(value.claim) && isString(value.sig);

/**
 * A claim parser that knows member claims, the settings given a check for, and removals when
 * given their check (the widget, which cannot learn of removals from a chain anyone may leave
 * them out of, has no use for them). Only names given are settings at all (a name such as
 * "__proto__" is never looked up).
 */
export function claimParser(
  settings: Partial<Record<keyof Settings, Check>>,
  removal?: Check,
): (text: string) => Claim | undefined {
  return (text) => {
    let claim: unknown;
    try {
      claim = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!isRecord(claim)) return undefined;
    const { kind, name } = claim;
    const valueCheck =
      isString(name) && Object.hasOwn(settings, name)
        ? settings[name as keyof Settings]
        : undefined;
    const ok =
      kind === 'member'
        ? isMemberClaim(claim)
        : kind === 'setting'
          ? !!valueCheck && isFiniteNumber(claim.at) && valueCheck(claim.value)
          : kind === 'removal' && !!removal?.(claim);
    return ok ? (claim as unknown as Claim) : undefined;
  };
}

/** A chain longer than this is no team's (each admin adds two or three entries). */
export const MAX_CHAIN_ENTRIES = 64;

/** A chain of entries as it travels (see ledger-chain.ts): by id, in no particular order. */
export interface PublishedChain {
  entries: [string, Entry][];
}

/** Whether a value has a chain's shape (its entries are checked by the verifier). */
export function isPublishedChain(value: unknown): value is { entries: [string, unknown][] } {
  if (!isRecord(value)) return false;
  const { entries } = value;
  return (
    Array.isArray(entries) &&
    entries.length <= MAX_CHAIN_ENTRIES &&
    entries.every((pair) => Array.isArray(pair) && pair.length === 2 && isString(pair[0]))
  );
}

/** The workspace id an owner's key makes (16 bytes of its hash, base64url). */
export async function workspaceIdOf(key: PublicKey): Promise<string> {
  return toBase64Url((await sha256(utf8.encode(`${key.x}.${key.y}`))).subarray(0, 16));
}

/** An entry's id: the hash of its content, so it cannot be replaced under the same id. */
export async function entryId(entry: Entry): Promise<string> {
  return toBase64Url(
    (await sha256(utf8.encode(`${entry.by}\n${entry.claim}\n${entry.sig}`))).subarray(0, 16),
  );
}

/** What a signature covers: the workspace and the signer too, so it cannot be replayed. */
export function signingInput(
  workspace: string,
  by: string,
  claim: string,
): Uint8Array<ArrayBuffer> {
  return utf8.encode(`converge-leads/ledger/v1\n${workspace}\n${by}\n${claim}`);
}

export const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const;
