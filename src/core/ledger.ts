/**
 * The team ledger: signed records of who is in the team, their roles, and the admin-only
 * settings — the part of the team doc that must hold even against a modified client (anyone
 * with the team secret can write to the doc; only keys can sign).
 *
 * - The workspace id is a hash of the owner's public key, so an invite's workspace id pins the
 *   root of trust: nobody can substitute another "owner".
 * - Each entry is immutable and stored under the hash of its content, so an entry cannot be
 *   rewritten in place; peers that saw an entry put it back if anyone deletes it.
 * - Entries are read in the order of their `at`, a clock that never goes below what the signer
 *   has already seen, so each honest entry comes after everything its author knew.
 * - Joining is self-signed and makes an agent; only the owner and admins can change roles and
 *   admin settings, and only the owner the workspace's own data (its name and intake key pair)
 *   and an admin's role. A signer chooses the `at` of their entries, so the owner's demotion or
 *   removal of an admin names the admin's entries it lets stand: any other entry made with
 *   admin rights and dated before it counts for nothing (an admin cannot back-date one).
 *   Entries that fail a check are ignored (and counted).
 */
import * as v from 'valibot';
import * as Y from 'yjs';
import { fromBase64Url, sha256, toBase64Url, utf8 } from './bytes.ts';
import {
  SAVED_REPLIES_MAX,
  SAVED_TEXT_MAX,
  SAVED_TITLE_MAX,
  type SavedReply,
} from './saved-replies.ts';
import { DEFAULT_RULES, normalizeRules, type ScoringRules } from './scoring.ts';
import { widgetConfigOf, widgetConfigSchema } from './widget-schema.ts';
import { DEFAULT_WIDGET, type WidgetConfig } from './widget-settings.ts';

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

const NAME_MAX = 80;

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
export const DEFAULT_SETTINGS: Settings = {
  retentionDays: 7,
  scoringRules: DEFAULT_RULES,
  widget: DEFAULT_WIDGET,
  savedReplies: [],
  workspace: null,
};

// ---------------------------------------------------------------------------------------------
// What a well-formed claim is. Claims are checked as they were signed, never rewritten: these
// schemas only say yes or no (`v.is`), and the parsed claim itself is what gets applied.

const finiteNumber = v.pipe(v.number(), v.finite());
const personName = v.pipe(
  v.string(),
  v.check((name) => name.trim() !== ''),
  v.maxLength(NAME_MAX),
);

const publicKeySchema = v.looseObject({
  kty: v.literal('EC'),
  crv: v.literal('P-256'),
  x: v.string(),
  y: v.string(),
});

const memberClaimSchema = v.looseObject({
  kind: v.literal('member'),
  member: v.string(),
  name: personName,
  role: v.picklist(ROLES),
  key: publicKeySchema,
  box: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{80,100}$/))),
  keep: v.optional(v.pipe(v.array(v.string()), v.maxLength(10_000))),
  at: finiteNumber,
});

/**
 * What each admin setting may be set to by a signed claim. Built when first needed: the widget,
 * which checks only its own setting (widget-chain.ts), never carries the others' checks.
 */
function settingValues(): SettingSchemas {
  /** Well-formed, and the private key is the public key's other half. */
  const workspaceInfoSchema = v.pipe(
    v.strictObject({
      name: personName,
      intakePublicKey: v.pipe(v.string(), v.maxLength(100)),
      intakePrivateKey: v.looseObject({
        kty: v.literal('EC'),
        crv: v.literal('P-256'),
        x: v.string(),
        y: v.string(),
        d: v.string(),
      }),
      createdAt: finiteNumber,
    }),
    v.check((info) => {
      let point: Uint8Array;
      try {
        point = fromBase64Url(info.intakePublicKey);
      } catch {
        return false;
      }
      // The public key is the raw point 04 ‖ x ‖ y: it must be the private key's own.
      return (
        point.length === 65 &&
        point[0] === 4 &&
        toBase64Url(point.subarray(1, 33)) === info.intakePrivateKey.x &&
        toBase64Url(point.subarray(33)) === info.intakePrivateKey.y
      );
    }),
  );

  return {
    retentionDays: v.picklist(RETENTION_DAYS),
    // Signed rules must already be in their clean form: what every peer scores with, exactly.
    scoringRules: v.custom<ScoringRules>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        JSON.stringify(normalizeRules(value)) === JSON.stringify(value),
    ),
    widget: widgetConfigSchema,
    savedReplies: v.pipe(
      v.array(
        v.strictObject({
          id: v.pipe(v.string(), v.minLength(1), v.maxLength(40)),
          title: v.pipe(
            v.string(),
            v.check((t) => t.trim() !== ''),
            v.maxLength(SAVED_TITLE_MAX),
          ),
          text: v.pipe(
            v.string(),
            v.check((t) => t.trim() !== ''),
            v.maxLength(SAVED_TEXT_MAX),
          ),
        }),
      ),
      v.maxLength(SAVED_REPLIES_MAX),
      v.check((list) => new Set(list.map((r) => r.id)).size === list.length),
    ),
    // A signed claim never sets it back to null (only a member who just joined has none).
    workspace: workspaceInfoSchema,
  };
}

/** Checks for the values of some settings, by name. */
export type SettingSchemas = Partial<Record<keyof Settings, v.GenericSchema>>;

/**
 * A claim parser that knows member claims, the given settings, and the other kinds given
 * (`removalClaimSchema()`: the widget, which cannot learn of removals from a chain anyone may
 * leave them out of, has no use for them). One option per setting name: only names Settings
 * has are claims at all (a name such as "__proto__" is never looked up).
 */
export function claimParser(
  settings: SettingSchemas,
  kinds: ReturnType<typeof removalClaimSchema>[] = [],
): (text: string) => Claim | undefined {
  const schema = v.variant('kind', [
    memberClaimSchema,
    ...kinds,
    v.variant(
      'name',
      Object.entries(settings).map(([name, value]) =>
        v.looseObject({
          kind: v.literal('setting'),
          name: v.literal(name),
          value,
          at: finiteNumber,
        }),
      ),
    ),
  ]);
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    return v.is(schema, value) ? (value as Claim) : undefined;
  };
}

/** What a removal claim is. Built when needed: the widget never carries it. */
export function removalClaimSchema() {
  return v.looseObject({
    kind: v.literal('removal'),
    member: v.string(),
    epoch: v.pipe(v.number(), v.integer(), v.minValue(2)),
    tokenHash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
    secrets: v.pipe(
      v.record(v.string(), v.pipe(v.string(), v.maxLength(400))),
      v.check((secrets) => Object.keys(secrets).length <= 500),
    ),
    keep: v.optional(v.pipe(v.array(v.string()), v.maxLength(10_000))),
    at: finiteNumber,
  });
}

const entrySchema = v.looseObject({ by: v.string(), claim: v.string(), sig: v.string() });

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
export interface Team {
  members: Member[];
  settings: Settings;
  /** The team secret's number: 1 until a member is removed, one more at each removal. */
  epoch: number;
  /** The removal that made the current secret (what a member opens their new secret from). */
  removal: RemovalClaim | undefined;
  /** Entries ignored: bad signature, no authority, malformed, not stored under their hash. */
  rejected: number;
  /** Entries that passed, by id: what a peer restores if they disappear. */
  accepted: Map<string, Entry>;
}

export function ledger(doc: Y.Doc): Y.Map<Entry> {
  return doc.getMap<Entry>('ledger');
}

export function publicKeyOf(jwk: JsonWebKey): PublicKey {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new Error('not a P-256 public key');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
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

const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface Signer {
  workspace: string;
  memberId: string;
  privateKey: CryptoKey;
}

export async function signClaim(signer: Signer, claim: Claim): Promise<Entry> {
  const text = JSON.stringify(claim);
  const sig = await crypto.subtle.sign(
    ECDSA,
    signer.privateKey,
    signingInput(signer.workspace, signer.memberId, text),
  );
  return { by: signer.memberId, claim: text, sig: toBase64Url(new Uint8Array(sig)) };
}

/** A clock for a new claim: now, but never before what this peer has already seen. */
export function nextAt(doc: Y.Doc, now: number): number {
  let latest = 0;
  ledger(doc).forEach((entry) => {
    const at = parseClaim(entry.claim)?.at ?? 0;
    if (at > latest) latest = at;
  });
  return Math.max(now, latest + 1);
}

/** Signs a claim and adds it to the doc. */
export async function record(doc: Y.Doc, signer: Signer, claim: Claim): Promise<void> {
  const entry = await signClaim(signer, claim);
  ledger(doc).set(await entryId(entry), entry);
}

let fullParser: ((text: string) => Claim | undefined) | undefined;

/** Parses a claim's text (any setting); undefined when it is not a well-formed claim. */
export function parseClaim(text: string): Claim | undefined {
  fullParser ??= claimParser(settingValues(), [removalClaimSchema()]);
  return fullParser(text);
}

interface Parsed {
  id: string;
  entry: Entry;
  claim: Claim;
}

/** A demotion or removal by the owner: what the member signed with admin rights before it. */
interface Cap {
  at: number;
  keep: ReadonlySet<string>;
}

/** An entry made with admin rights (a setting, someone else's role, a removal). */
function usesAdminRights(entry: Entry, claim: Claim): boolean {
  return claim.kind !== 'member' || claim.member !== entry.by;
}

/** The ids of a member's accepted entries made with admin rights: what a demotion keeps. */
export function adminEntriesOf(accepted: ReadonlyMap<string, Entry>, memberId: string): string[] {
  const ids: string[] = [];
  for (const [id, entry] of accepted) {
    const claim = entry.by === memberId ? parseClaim(entry.claim) : undefined;
    if (claim && usesAdminRights(entry, claim)) ids.push(id);
  }
  return ids.sort();
}

/** The entry is one its author signed with admin rights "before" a cap that does not keep it. */
function capped(id: string, entry: Entry, claim: Claim, caps: ReadonlyMap<string, Cap[]>): boolean {
  if (!usesAdminRights(entry, claim)) return false;
  return (caps.get(entry.by) ?? []).some((cap) => claim.at < cap.at && !cap.keep.has(id));
}

/** What the ledger has established so far, as it reads the entries in order. */
interface LedgerState {
  members: Map<string, Member>;
  removed: Set<string>;
  epoch: number;
}

function sameKey(a: PublicKey, b: PublicKey): boolean {
  return a.x === b.x && a.y === b.y;
}

/**
 * Verifies the ledger and folds it into the team. Signature checks are remembered, so calling
 * this again as entries arrive costs only the new ones.
 */
export class LedgerVerifier {
  readonly #workspace: string;
  readonly #parse: (text: string) => Claim | undefined;
  readonly #keys = new Map<string, Promise<CryptoKey>>();
  /** Signature check results by entry id plus signer key (an entry never changes). */
  readonly #checked = new Map<string, Promise<boolean>>();

  /** `parse` says which claims count: `parseClaim` for all, or `claimParser` for some. */
  constructor(workspace: string, parse: (text: string) => Claim | undefined) {
    this.#workspace = workspace;
    this.#parse = parse;
  }

  async #verify(id: string, entry: Entry, key: PublicKey): Promise<boolean> {
    const cacheKey = `${id}.${key.x}.${key.y}`;
    let result = this.#checked.get(cacheKey);
    if (!result) {
      result = this.#check(entry, key);
      this.#checked.set(cacheKey, result);
    }
    return result;
  }

  async #check(entry: Entry, key: PublicKey): Promise<boolean> {
    const keyId = `${key.x}.${key.y}`;
    let imported = this.#keys.get(keyId);
    if (!imported) {
      imported = crypto.subtle.importKey(
        'jwk',
        key,
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['verify'],
      );
      this.#keys.set(keyId, imported);
    }
    try {
      return await crypto.subtle.verify(
        ECDSA,
        await imported,
        fromBase64Url(entry.sig),
        signingInput(this.#workspace, entry.by, entry.claim),
      );
    } catch {
      return false;
    }
  }

  async resolve(entries: Iterable<[string, unknown]>): Promise<Team> {
    const parsed: Parsed[] = [];
    let rejected = 0;
    for (const [id, value] of entries) {
      const entry = v.is(entrySchema, value) ? (value as Entry) : undefined;
      const claim = entry && this.#parse(entry.claim);
      if (!entry || !claim || id !== (await entryId(entry))) {
        rejected++;
        continue;
      }
      parsed.push({ id, entry, claim });
    }
    parsed.sort((a, b) => a.claim.at - b.claim.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

    const first = await this.#pass(parsed, new Map());
    // The owner's demotions and removals of admins cap what those admins signed before them
    // (see MemberClaim.keep); a second pass applies the caps. The owner is never demoted, so
    // the caps cannot depend on one another.
    const caps = await this.#caps(parsed, first);
    const team = caps.size ? await this.#pass(parsed, caps) : first;
    return { ...team, rejected: team.rejected + rejected };
  }

  /** The caps on each member's admin entries: the owner's demotions and removals with `keep`. */
  async #caps(parsed: readonly Parsed[], team: Team): Promise<Map<string, Cap[]>> {
    const caps = new Map<string, Cap[]>();
    const owner = team.members.find((m) => m.role === 'owner');
    if (!owner) return caps;
    for (const { id, entry, claim } of parsed) {
      if (entry.by !== owner.id || claim.kind === 'setting' || !claim.keep) continue;
      if (claim.kind === 'member' && (claim.member === owner.id || claim.role !== 'agent'))
        continue;
      if (!(await this.#verify(id, entry, owner.key))) continue;
      const list = caps.get(claim.member) ?? [];
      list.push({ at: claim.at, keep: new Set(claim.keep) });
      caps.set(claim.member, list);
    }
    return caps;
  }

  /** One reading of the entries in order, with the caps known. */
  async #pass(parsed: readonly Parsed[], caps: ReadonlyMap<string, Cap[]>): Promise<Team> {
    let rejected = 0;
    const members = new Map<string, Member>();
    const settings: Settings = { ...DEFAULT_SETTINGS };
    const accepted = new Map<string, Entry>();
    const state: LedgerState = { members, removed: new Set(), epoch: 1 };
    let removal: RemovalClaim | undefined;
    for (const { id, entry, claim } of parsed) {
      if ((await this.#applies(id, entry, claim, state)) && !capped(id, entry, claim, caps)) {
        accepted.set(id, entry);
        if (claim.kind === 'removal') {
          members.delete(claim.member);
          state.removed.add(claim.member);
          state.epoch = claim.epoch;
          removal = claim;
        } else if (claim.kind === 'setting') {
          // A widget setting signed before some fields existed has the defaults for them.
          const value =
            claim.name === 'widget' ? widgetConfigOf(claim.value as WidgetConfig) : claim.value;
          Object.assign(settings, { [claim.name]: value });
        } else {
          const known = members.get(claim.member);
          // Name and encryption key are the member's own: others change only the role.
          const own = !known || entry.by === claim.member;
          const box = (own ? claim.box : undefined) ?? known?.box;
          members.set(claim.member, {
            id: claim.member,
            name: own ? claim.name : known.name,
            role: claim.role,
            key: claim.key,
            ...(box === undefined ? {} : { box }),
            joinedAt: known?.joinedAt ?? claim.at,
          });
        }
      } else rejected++;
    }
    return {
      members: [...members.values()].sort((a, b) => a.joinedAt - b.joinedAt),
      settings,
      epoch: state.epoch,
      removal,
      rejected,
      accepted,
    };
  }

  /** Whether an entry's author may make this claim, given the team so far, and signed it. */
  async #applies(id: string, entry: Entry, claim: Claim, state: LedgerState): Promise<boolean> {
    const { members } = state;
    const author = members.get(entry.by);
    if (claim.kind === 'removal') {
      // The owner or an admin removes an agent, only the owner an admin; each removal the next
      // secret.
      const target = members.get(claim.member);
      if (!author || author.role === 'agent' || !target || target.role === 'owner') return false;
      if (target.role === 'admin' && author.role !== 'owner') return false;
      if (claim.epoch !== state.epoch + 1) return false;
      return this.#verify(id, entry, author.key);
    }
    if (claim.kind === 'setting') {
      if (!author || author.role === 'agent') return false;
      // The workspace's identity and intake key are the owner's alone.
      if (claim.name === 'workspace' && author.role !== 'owner') return false;
      return this.#verify(id, entry, author.key);
    }
    const target = members.get(claim.member);
    if (entry.by === claim.member) {
      // The member's own record: the owner's founding entry, joining as an agent, or a rename.
      // A removed member does not come back under the same id.
      if (state.removed.has(claim.member)) return false;
      if (!target) {
        if (claim.role === 'owner') {
          if ((await workspaceIdOf(claim.key)) !== this.#workspace) return false;
        } else if (claim.role !== 'agent') return false;
        return this.#verify(id, entry, claim.key);
      }
      if (claim.role !== target.role || !sameKey(claim.key, target.key)) return false;
      return this.#verify(id, entry, target.key);
    }
    // A role change by someone else: the owner or an admin, never to or from owner; only the
    // owner takes an admin's rights away (so no two admins can race to demote each other, and
    // a demotion can say which of the admin's entries stand: see MemberClaim.keep).
    if (!author || author.role === 'agent' || !target) return false;
    if (target.role === 'owner' || claim.role === 'owner') return false;
    if (target.role === 'admin' && claim.role !== 'admin' && author.role !== 'owner') return false;
    if (!sameKey(claim.key, target.key)) return false;
    return this.#verify(id, entry, author.key);
  }
}
