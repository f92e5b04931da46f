/**
 * The verified team in this tab: re-verifies the ledger whenever entries arrive and tells the
 * UI who is in the team, their roles and the admin settings. Changes are signed with this
 * member's key. Entries this browser once accepted are kept locally and put back if anyone
 * deletes them from the doc (a modified client could try, to undo a demotion).
 */
import { ObservableV2 } from 'lib0/observable';
import type * as Y from 'yjs';
import { CodedError } from '../contracts/errors.ts';
import type { VerifiedTeam } from '../contracts/team.ts';
import {
  adminEntriesOf,
  entryId,
  ledger,
  teamVerifier,
  type LedgerVerifier,
  signClaim,
  type RemovalClaim,
  nextAt,
  publicKeyOf,
  record,
  type Entry,
  type Member,
  type Role,
  type Settings,
  type Signer,
} from '../core/ledger.ts';
import { boxKeyText, generateBoxKeys, sealSecret } from '../core/member-box.ts';
import type { PublishedChain } from '../core/ledger.ts';
import { removalChain } from '../core/removal-chain.ts';
import { newTeamSecret, readToken, sha256Hex } from '../core/team-keys.ts';
import { localDb, readMeta, type WorkspaceDb, type WorkspaceRecord } from '../data/db.ts';

/** A removal signed and proven, not yet written (see `prepareRemoval`). */
export interface PreparedRemoval {
  id: string;
  entry: Entry;
  chain: PublishedChain;
  /** Members who published no key: the new secret cannot reach them (they need a new invite). */
  left: string[];
}

export interface TeamLedgerEvents {
  /** The latest removal in the ledger, after every pass that has one: the secret it made. */
  removal: (removal: RemovalClaim) => void;
  /** The verified team, after every pass. */
  team: (team: VerifiedTeam) => void;
  /** The verified settings, after every pass (plain objects, unlike UI state). */
  settings: (settings: Settings) => void;
  /** The entries the last pass accepted (what the widget settings' chain is made from). */
  accepted: (entries: ReadonlyMap<string, Entry>) => void;
}

export class TeamLedger extends ObservableV2<TeamLedgerEvents> {
  readonly #doc: Y.Doc;
  readonly #db: WorkspaceDb;
  readonly #record: WorkspaceRecord;
  #members: Member[] = [];
  /** The team secret's number, and the removal that made it (see core/ledger.ts). */
  #epoch = 1;
  #removal: RemovalClaim | undefined;
  readonly #verifier: LedgerVerifier;
  readonly #signer: Signer;
  /** Entries this browser has accepted: what it restores. */
  #accepted = new Map<string, Entry>();
  /** What the last pass accepted. */
  #current: ReadonlyMap<string, Entry> = new Map();
  #resolving: Promise<void> | undefined;
  /** Bumped by every refresh request; a pass runs again if it moved meanwhile. */
  #requested = 0;

  private constructor(doc: Y.Doc, db: WorkspaceDb, record: WorkspaceRecord) {
    super();
    this.#doc = doc;
    this.#db = db;
    this.#record = record;
    this.#verifier = teamVerifier(record.id);
    this.#signer = {
      workspace: record.id,
      memberId: record.memberId,
      privateKey: record.signingKey.privateKey,
    };
  }

  /** Reads what this browser accepted before; `start` then verifies and tells. */
  static async open(doc: Y.Doc, db: WorkspaceDb, record: WorkspaceRecord): Promise<TeamLedger> {
    const team = new TeamLedger(doc, db, record);
    const kept = await readMeta<Record<string, Entry>>(db, 'ledger', {});
    team.#accepted = new Map(Object.entries(kept));
    return team;
  }

  /** Starts verifying the ledger as it changes (listeners attached first hear the first pass). */
  async start(): Promise<void> {
    this.#restoreMissing();
    ledger(this.#doc).observe(this.#onChange);
    await this.refresh();
  }

  #onChange = (event: Y.YMapEvent<Entry>): void => {
    const removed = [...event.changes.keys].some(
      ([id, change]) => change.action !== 'add' && this.#accepted.has(id),
    );
    if (removed) this.#restoreMissing();
    void this.refresh();
  };

  /** Puts back accepted entries that are gone or were replaced under their id. */
  #restoreMissing(): void {
    const map = ledger(this.#doc);
    const missing = [...this.#accepted].filter(([id, entry]) => {
      const now = map.get(id);
      return !now || now.sig !== entry.sig || now.claim !== entry.claim || now.by !== entry.by;
    });
    if (missing.length === 0) return;
    this.#doc.transact(() => {
      for (const [id, entry] of missing) map.set(id, entry);
    });
  }

  /** Re-verifies the ledger (coalescing bursts of changes into one pass at a time). */
  refresh(): Promise<void> {
    this.#requested++;
    if (this.#resolving) return this.#resolving;
    this.#resolving = (async () => {
      let done = 0;
      while (done !== this.#requested) {
        done = this.#requested;
        const team = await this.#verifier.resolve(ledger(this.#doc).entries());
        this.#members = team.members;
        this.#epoch = team.epoch;
        this.#removal = team.removal;
        this.emit('team', [
          { members: team.members, settings: team.settings, rejected: team.rejected },
        ]);
        this.emit('settings', [team.settings]);
        this.#current = team.accepted;
        this.emit('accepted', [team.accepted]);
        if (team.removal) this.emit('removal', [team.removal]);
        const grew = [...team.accepted.keys()].some((id) => !this.#accepted.has(id));
        for (const [id, entry] of team.accepted) this.#accepted.set(id, entry);
        if (grew) {
          await this.#db.meta.put({ key: 'ledger', value: Object.fromEntries(this.#accepted) });
        }
      }
    })().finally(() => {
      this.#resolving = undefined;
    });
    return this.#resolving;
  }

  /** The entries the last pass accepted. */
  get current(): ReadonlyMap<string, Entry> {
    return this.#current;
  }

  get me(): Member | undefined {
    return this.#members.find((m) => m.id === this.#record.memberId);
  }

  /**
   * Adds this member's own record when the team does not have it yet (after joining), and
   * publishes this member's encryption key when the team has none for them (a browser that
   * joined before members had one makes it now).
   */
  async ensureMember(): Promise<void> {
    await this.refresh();
    const me = this.me;
    if (me?.box) return;
    const box = await this.#box();
    await this.#write({
      kind: 'member',
      member: this.#record.memberId,
      name: me?.name ?? this.#record.memberName,
      role: me?.role ?? 'agent',
      key: me?.key ?? publicKeyOf(this.#record.signingPublicKey),
      box,
      at: nextAt(this.#doc, Date.now()),
    });
  }

  /** This member's encryption public key, made and kept on first use. */
  async #box(): Promise<string> {
    const record = this.#record;
    if (!record.boxKey) {
      record.boxKey = await generateBoxKeys();
      await localDb.workspaces.update(record.id, { boxKey: record.boxKey });
    }
    return boxKeyText(record.boxKey.publicKey);
  }

  async rename(name: string): Promise<void> {
    const me = this.me;
    if (!me) throw new CodedError('not_loaded', 'not a member of this team yet');
    await this.#write({
      kind: 'member',
      member: me.id,
      name,
      role: me.role,
      key: me.key,
      box: await this.#box(),
      at: nextAt(this.#doc, Date.now()),
    });
  }

  async setRole(member: Member, role: Exclude<Role, 'owner'>): Promise<void> {
    await this.#write({
      kind: 'member',
      member: member.id,
      name: member.name,
      role,
      key: member.key,
      ...this.#keeping(member, role),
      at: nextAt(this.#doc, Date.now()),
    });
  }

  /** An admin losing their rights: the entries of theirs that stand (see MemberClaim.keep). */
  #keeping(member: Member, role: Role): { keep?: string[] } {
    if (member.role !== 'admin' || role === 'admin') return {};
    return { keep: adminEntriesOf(this.#current, member.id) };
  }

  /**
   * Prepares the removal of a member for good, signed by this admin: a new team secret sealed
   * to every other member who published a key (see core/member-box.ts), and the chain that
   * proves it to the relay. Nothing is written: the relay must take the new token first
   * (`commit` then), or the team would move to a secret the relay does not know.
   */
  async prepareRemoval(memberId: string): Promise<PreparedRemoval> {
    await this.refresh();
    const target = this.#members.find((m) => m.id === memberId);
    if (!target) throw new CodedError('not_found', 'no such member');
    const secret = newTeamSecret();
    const epoch = this.#epoch + 1;
    const secrets: Record<string, string> = {};
    const left: string[] = [];
    for (const m of this.#members) {
      if (m.id === memberId) continue;
      if (m.box)
        secrets[m.id] = await sealSecret(
          secret,
          { member: m.id, box: m.box },
          this.#record.id,
          epoch,
        );
      else left.push(m.name);
    }
    const claim: RemovalClaim = {
      kind: 'removal',
      member: memberId,
      epoch,
      tokenHash: await sha256Hex(await readToken(secret)),
      secrets,
      ...this.#keeping(target, 'agent'),
      at: nextAt(this.#doc, Date.now()),
    };
    const entry = await signClaim(this.#signer, claim);
    const id = await entryId(entry);
    const chain = removalChain(new Map([...this.#current, [id, entry]]));
    if (!chain) throw new CodedError('internal', 'the removal proves nothing');
    return { id, entry, chain, left };
  }

  /** Writes a prepared removal once the relay has taken its token. */
  async commit(removal: PreparedRemoval): Promise<void> {
    ledger(this.#doc).set(removal.id, removal.entry);
    await this.refresh();
  }

  /** The team secret's number, and the removal that made it. */
  get epoch(): number {
    return this.#epoch;
  }
  get removal(): RemovalClaim | undefined {
    return this.#removal;
  }

  async setSetting<K extends keyof Settings>(name: K, value: Settings[K]): Promise<void> {
    await this.#write({ kind: 'setting', name, value, at: nextAt(this.#doc, Date.now()) });
  }

  async #write(claim: Parameters<typeof record>[2]): Promise<void> {
    await record(this.#doc, this.#signer, claim);
    await this.refresh();
  }

  override destroy(): void {
    ledger(this.#doc).unobserve(this.#onChange);
    super.destroy();
  }
}
