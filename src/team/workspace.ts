/**
 * An open workspace, in the team worker of one tab: its parts and how they are wired. Data goes
 * one way — relay log → intake (open, validate) → projection (store the facts, fold the lead)
 * → lead feed → list worker → page — and team edits come in through the team doc, whose
 * changes mark leads for projection. One tab per person leads (intake, projection, the relay
 * snapshot); the others hold the doc and hear lead changes from the leader.
 *
 * A member who just joined has no workspace data yet: the workspace waits for it (from the
 * relay snapshot or a teammate) before any work that needs it.
 */
import { heardMessages } from '../core/conversation.ts';
import { DEFAULT_WIDGET } from '../core/widget-settings.ts';
import { CodedError, toFailure, type Failure } from '../contracts/errors.ts';
import type { RelaySnapshot, StatusPatch, TeamEvents } from '../contracts/team.ts';
import { realClock, realTimers, type Clock, type Timers } from '../contracts/time.ts';
import type { LeadDetail } from '../core/lead-detail.ts';
import {
  DEFAULT_SETTINGS,
  ledger,
  type Member,
  type RemovalClaim,
  type RetentionDays,
  type Role,
  type Settings,
  type WorkspaceInfo,
} from '../core/ledger.ts';
import type { PublishedChain } from '../core/ledger.ts';
import { openSecret } from '../core/member-box.ts';
import { channelName, lockName } from '../core/names.ts';
import { verifyRemoval } from '../core/removal-chain.ts';
import { DEFAULT_RULES, type ScoringRules } from '../core/scoring.ts';
import { localDb, readMeta, WorkspaceDb, type WorkspaceRecord } from '../data/db.ts';
import { DocLinks } from './doc-links.ts';
import { DocStore, FROM_SNAPSHOT, FROM_STORE } from './doc-store.ts';
import { fetchOnJoin } from './joining.ts';
import { Leader } from './leader.ts';
import { LeadFeed } from './lead-feed.ts';
import { readToken } from '../core/team-keys.ts';
import { LeadReads } from './lead-reads.ts';
import { Replies } from './replies.ts';
import { leadership, type Leadership } from './leadership.ts';
import { Projection } from './projection.ts';
import { readRotation, rotateToken } from './relay-client.ts';
import { Snapshots } from './snapshots.ts';
import { TeamEdits } from './team-edits.ts';
import { TeamLedger } from './team-ledger.ts';

export class Workspace {
  readonly #record: WorkspaceRecord;
  readonly #db: WorkspaceDb;
  readonly #events: TeamEvents;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #store: DocStore;
  readonly edits: TeamEdits;
  readonly #projection: Projection;
  readonly #feed: LeadFeed;
  readonly reads: LeadReads;
  links: DocLinks | undefined;
  #team: TeamLedger | undefined;
  #snapshots: Snapshots | undefined;
  #leader: Leader | undefined;
  #replies: Replies | undefined;
  #leadership: Leadership | undefined;
  #joining: { stop(): void } | undefined;
  /** The workspace's data as the verified ledger has it (null until it has arrived). */
  #verifiedInfo: WorkspaceInfo | null = null;
  #retention: RetentionDays = DEFAULT_SETTINGS.retentionDays;
  /** Moving to a new team secret: the page opens the workspace afresh. */
  #switching = false;
  /** The data this tab works with, from the moment it joined. */
  #info: WorkspaceInfo | undefined;
  #loaded = false;
  #rules: ScoringRules = DEFAULT_RULES;
  #rulesKey = '';
  #awayText = DEFAULT_WIDGET.awayText;

  private constructor(
    record: WorkspaceRecord,
    events: TeamEvents,
    feedPort: MessagePort,
    time: { clock: Clock; timers: Timers },
  ) {
    this.#record = record;
    this.#events = events;
    this.#clock = time.clock;
    this.#timers = time.timers;
    const db = (this.#db = new WorkspaceDb(record.id));
    const store = (this.#store = DocStore.create(db, this.#timers));
    this.edits = new TeamEdits(store.doc, record.memberId, this.#clock);
    this.#projection = new Projection(db, (id) => this.edits.teamFactsOf(id));
    this.#feed = new LeadFeed(feedPort, channelName.leads(record.id));
    this.reads = new LeadReads(
      db,
      this.#feed,
      this.edits,
      () => ({ rules: this.#rules, awayText: this.#awayText }),
      events.lead,
    );

    this.edits.on('changed', (leads, origin) => {
      // The tab that stored these rows marked their leads in the same transaction; a
      // snapshot taken in before any lead is stored is folded in with the facts.
      if (origin === FROM_STORE) return;
      if (origin === FROM_SNAPSHOT && this.#projection.cursor === 0) return;
      store.markDirty(leads);
    });
    this.edits.on('tags', (tagsInUse) => {
      this.#status({ tagsInUse });
    });
    store.on('flushed', (dirty) => {
      this.#leader?.reproject(dirty);
    });
    store.on('update', (update, origin) => {
      this.links?.changed(update, origin);
      this.#snapshots?.changed();
    });
    this.#projection.on('changed', (change) => {
      this.#feed.publish(change);
      this.#snapshots?.changed();
    });
    // Storage is full while any writer finds it full; other failures are told as they come.
    const failing = new Map<string, Failure>();
    const storage =
      (writer: string) =>
      (failure: Failure | null): void => {
        if (failure) failing.set(writer, failure);
        else failing.delete(writer);
        this.#status({ storageFull: [...failing.values()].some((f) => f.code === 'storage_full') });
        if (failure && failure.code !== 'storage_full') this.#events.error(failure);
      };
    store.on('storage', storage('doc'));
    this.#projection.on('storage', storage('leads'));
  }

  /** Readies the workspace; its doc stays empty until `load`. */
  static async open(
    record: WorkspaceRecord,
    events: TeamEvents,
    feedPort: MessagePort,
    time = { clock: realClock, timers: realTimers },
  ): Promise<Workspace> {
    const ws = new Workspace(record, events, feedPort, time);
    const diagnostics = await readMeta(ws.#db, 'diagnostics', { dropped: 0, excluded: 0 });
    // A member who has been here before has the workspace stored; a new one waits for it.
    ws.#status({ diagnostics, joined: record.intakePublicKey !== '' });
    ws.#feed.hello();
    return ws;
  }

  #status(patch: StatusPatch): void {
    this.#events.status(patch);
  }

  #fail = (err: unknown): void => {
    this.#events.error(toFailure(err));
  };

  /** Loads the team doc and starts everything that needs it. */
  async load(): Promise<void> {
    const record = this.#record;
    const store = this.#store;
    const started = performance.now();
    await store.catchUp();
    // Visible in the browser's performance tools (and read by the benchmark).
    performance.measure('converge:team-doc-load', { start: started });
    this.#status({ tagsInUse: this.edits.tagsInUse });
    const team = (this.#team = await TeamLedger.open(store.doc, this.#db, record));
    team.on('team', (verified) => {
      this.#status({ team: verified });
    });
    team.on('accepted', (accepted) => {
      this.#leader?.ledgerChanged(accepted);
    });
    team.on('removal', (removal) => {
      this.#followSecret(removal).catch(this.#fail);
    });
    team.on('settings', (settings) => {
      this.#useRules(settings.scoringRules);
      if (settings.retentionDays !== this.#retention) {
        this.#retention = settings.retentionDays;
        this.#leader?.retentionChanged();
      }
      if (settings.widget.awayText !== this.#awayText) {
        this.#awayText = settings.widget.awayText;
        this.reads.refresh();
      }
      this.#verifiedInfo = settings.workspace;
      this.#join();
    });
    await team.start();
    this.#snapshots = await Snapshots.open(record, store, (patch) => {
      this.#status(patch);
    });
    this.links = new DocLinks(
      store.doc,
      new BroadcastChannel(channelName.doc(record.id)),
      (link, bytes) => {
        this.#events.toPeer(link, bytes);
      },
    );
    this.links.on('unreadable', (unreadableSync) => {
      this.#status({ unreadableSync });
    });
    this.#status({ loaded: true });
    this.#loaded = true;
    if (!this.#verifiedInfo) {
      // Just joined: the relay snapshot has the workspace even when no teammate is online.
      const snapshots = this.#snapshots;
      this.#joining = fetchOnJoin({
        restore: () => snapshots.restore(),
        joined: () => this.#info !== undefined,
        report: (join) => {
          this.#status({ join });
        },
        clock: this.#clock,
        timers: this.#timers,
      });
    }
    this.#join();
  }

  /**
   * Starts the work that needs the workspace's data, once it is here: the owner's signed
   * record of it, as the ledger verifies it (from storage, the relay snapshot or a teammate).
   */
  #join(): void {
    const info = this.#verifiedInfo;
    if (!info || !this.#loaded || this.#info) return;
    this.#info = info;
    this.#joining?.stop();
    this.#status({
      joined: true,
      workspace: { name: info.name, intakePublicKey: info.intakePublicKey },
    });
    this.#team?.ensureMember().catch(this.#fail);
    if (!this.#record.intakePublicKey) {
      this.#record.intakePublicKey = info.intakePublicKey;
      void localDb.workspaces.update(this.#record.id, { intakePublicKey: info.intakePublicKey });
    }
    const leader = new Leader({
      record: this.#record,
      info,
      db: this.#db,
      store: this.#store,
      projection: this.#projection,
      snapshots: this.#snapshots,
      status: (patch) => {
        this.#status(patch);
      },
      fail: this.#fail,
      clock: this.#clock,
      timers: this.#timers,
      ledger: () => this.#team?.current ?? new Map(),
      retention: () => this.#retention,
      refused: () => {
        this.#catchUpSecret().catch(this.#fail);
      },
    });
    this.#leader = leader;
    const record = this.#record;
    this.#replies = new Replies({
      edits: this.edits,
      db: this.#db,
      relayUrl: record.relayUrl,
      workspaceId: record.id,
      author: record.memberName,
      token: () => readToken(record.teamSecret),
      info,
      timers: this.#timers,
      onError: this.#fail,
    });
    this.#leadership = leadership({
      locks: navigator.locks,
      name: lockName.leader(this.#record.id),
      lead: async () => {
        await leader.start();
        // What this browser's closed tabs wrote and the relay never got.
        await this.#replies?.redeliver();
      },
      resign: () => {
        leader.stop();
      },
      onError: this.#fail,
      timers: this.#timers,
    });
    // Standby is said only once another tab is known to hold the lock (never as a guess
    // while this tab is still starting to lead).
    const name = lockName.leader(this.#record.id);
    void navigator.locks.query().then((locks) => {
      const held = locks.held?.some((lock) => lock.name === name) ?? false;
      if (held && !this.#leadership?.leading) this.#status({ leader: false });
    });
  }

  /**
   * Scores depend on the rules, and lists compute them: the list worker hears new rules over
   * the feed, and finds the last ones in storage when it starts before this worker.
   */
  #useRules(rules: ScoringRules): void {
    const key = JSON.stringify(rules);
    if (key === this.#rulesKey) return;
    this.#rules = rules;
    this.#rulesKey = key;
    this.#feed.rules(rules);
    this.reads.refresh();
    this.#db.meta.put({ key: 'rules', value: rules }).catch(this.#fail);
  }

  /**
   * Removes a member for good: the relay takes the new secret's token first (proven by the
   * signed removal), then the removal is written, and every member — this one too — moves to
   * the new secret as they read it (`#followSecret`).
   */
  async removeMember(memberId: string): Promise<string[]> {
    const team = this.#verifiedTeam();
    const prepared = await team.prepareRemoval(memberId);
    const record = this.#record;
    await rotateToken(
      record.relayUrl,
      record.id,
      await readToken(record.teamSecret),
      prepared.chain,
    );
    await team.commit(prepared);
    return prepared.left;
  }

  /** The ledger's latest removal: a newer team secret, for this member to open, or not. */
  async #followSecret(removal: RemovalClaim): Promise<void> {
    const record = this.#record;
    if (removal.epoch <= (record.epoch ?? 1) || this.#switching) return;
    const sealed = removal.secrets[record.memberId];
    if (!sealed || !record.boxKey) {
      this.#status({ access: removal.member === record.memberId ? 'removed' : 'left_out' });
      return;
    }
    this.#switching = true;
    const secret = await openSecret(
      sealed,
      { member: record.memberId, keys: record.boxKey },
      record.id,
      removal.epoch,
    );
    record.teamSecret = secret;
    record.epoch = removal.epoch;
    await localDb.workspaces.update(record.id, { teamSecret: secret, epoch: removal.epoch });
    await this.#snapshots?.secretChanged();
    this.#status({ secretEpoch: removal.epoch });
  }

  /**
   * The relay refused this browser's token: the team secret may have changed while it was
   * away. The change that replaced the token, once verified, goes into the ledger like any
   * teammate's entry, and is followed from there.
   */
  async #catchUpSecret(): Promise<void> {
    const record = this.#record;
    const rotation = await readRotation(
      record.relayUrl,
      record.id,
      await readToken(record.teamSecret),
    );
    if (!rotation || !(await verifyRemoval(record.id, rotation.chain))) return;
    const entries = ledger(this.#store.doc);
    for (const [id, entry] of (rotation.chain as PublishedChain).entries) {
      if (!entries.has(id)) entries.set(id, entry);
    }
  }

  // Signed changes to the team (see TeamLedger).
  rename(name: string): Promise<void> {
    return this.#verifiedTeam().rename(name);
  }
  setRole(member: Member, role: Exclude<Role, 'owner'>): Promise<void> {
    return this.#verifiedTeam().setRole(member, role);
  }
  setSetting<K extends keyof Settings>(name: K, value: Settings[K]): Promise<void> {
    return this.#verifiedTeam().setSetting(name, value);
  }
  #verifiedTeam(): TeamLedger {
    if (!this.#team) throw new CodedError('not_loaded', 'the team doc is not loaded yet');
    return this.#team;
  }

  async write(leadId: string, text: string): Promise<void> {
    if (!this.#replies) throw new CodedError('not_loaded', 'the workspace is still loading');
    await this.#replies.send(leadId, text);
  }

  /** Blocks from the visitor's latest event this browser has read: what comes later is dropped. */
  async block(leadId: string, blocked: boolean): Promise<void> {
    if (!blocked) {
      this.edits.unblock(leadId);
      return;
    }
    const chat = (await this.#db.leads.get(leadId))?.facts.chat;
    this.edits.block(leadId, chat?.mailboxSeq ?? 0);
  }

  async blockedMessages(): Promise<number> {
    const blocked = this.edits.blocked();
    const leads = await this.#db.leads.bulkGet(blocked.map(([leadId]) => leadId));
    return blocked.reduce((dropped, [, after], i) => {
      const chat = leads[i]?.facts.chat;
      return dropped + (chat?.messages.length ?? 0) - heardMessages(chat, after).length;
    }, 0);
  }

  watchLead(leadId: string | undefined): Promise<LeadDetail | null> {
    return this.reads.watch(leadId);
  }

  /** What snapshot the relay holds now (for Diagnostics). */
  relaySnapshot(): Promise<RelaySnapshot> {
    if (!this.#snapshots) throw new CodedError('not_loaded', 'the workspace is still loading');
    return this.#snapshots.onRelay();
  }

  close(): void {
    this.#joining?.stop();
    this.#leadership?.stop();
    this.#leader?.stop();
    this.#replies?.stop();
    this.#team?.destroy();
    this.links?.destroy();
    this.#snapshots?.destroy();
    this.#feed.destroy();
    this.#store.destroy();
    this.#db.close();
  }
}
