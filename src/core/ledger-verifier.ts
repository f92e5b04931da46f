/**
 * The ledger's rules (see ledger.ts for what they mean): who may make which claim, and how the
 * verified entries fold into the team. Free of the schema library, like ledger-claims.ts, so
 * the widget carries these very rules.
 */
import { fromBase64Url } from './bytes.ts';
import {
  ECDSA,
  entryId,
  isEntry,
  signingInput,
  workspaceIdOf,
  type Claim,
  type Entry,
  type Member,
  type PublicKey,
  type RemovalClaim,
  type Settings,
  type Team,
} from './ledger-claims.ts';
import { widgetConfigOf, type WidgetConfig } from './widget-settings.ts';

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
export function usesAdminRights(entry: Entry, claim: Claim): boolean {
  return claim.kind !== 'member' || claim.member !== entry.by;
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
export class LedgerVerifier<S extends object = Settings> {
  readonly #workspace: string;
  readonly #parse: (text: string) => Claim | undefined;
  readonly #defaults: S;
  readonly #keys = new Map<string, Promise<CryptoKey>>();
  /** Signature check results by entry id plus signer key (an entry never changes). */
  readonly #checked = new Map<string, Promise<boolean>>();

  /**
   * `parse` says which claims count (`parseClaim` for all, or a `claimParser` for some), and
   * `defaults` the settings no claim has set yet: those of the settings it knows.
   */
  constructor(workspace: string, parse: (text: string) => Claim | undefined, defaults: S) {
    this.#workspace = workspace;
    this.#parse = parse;
    this.#defaults = defaults;
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

  async resolve(entries: Iterable<[string, unknown]>): Promise<Team<S>> {
    const parsed: Parsed[] = [];
    let rejected = 0;
    for (const [id, value] of entries) {
      const entry = isEntry(value) ? value : undefined;
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
  async #caps(parsed: readonly Parsed[], team: Team<S>): Promise<Map<string, Cap[]>> {
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
  async #pass(parsed: readonly Parsed[], caps: ReadonlyMap<string, Cap[]>): Promise<Team<S>> {
    let rejected = 0;
    const members = new Map<string, Member>();
    const settings: S = { ...this.#defaults };
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
