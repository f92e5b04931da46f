/**
 * An open workspace, in the team worker of one tab: the team doc (loaded from and persisted to
 * IndexedDB, kept in step with teammates and the person's other tabs), the verified team, and —
 * in the one tab that holds the leader lock — intake from the relay, projection of changed leads
 * into the list table and the relay snapshot. Other tabs read the shared tables and take over
 * when the leader closes. A member who just joined has no workspace data yet: the workspace
 * waits for it (from the relay snapshot or a teammate) before any work that needs it.
 *
 * It runs off the page's thread: at 100,000 leads the doc alone is hundreds of megabytes of
 * small objects, and loading it, applying bursts to it and collecting its garbage would stall
 * scrolling and typing.
 */
import type { PageView } from '../core/capture.ts';
import { foldPageViews, summarize, type LeadSummary } from '../core/lead.ts';
import type { Member, Role, Settings, WorkspaceInfo } from '../core/ledger.ts';
import { registerWorkspace } from '../core/relay-client.ts';
import type { LogEntry } from '../core/relay-protocol.ts';
import { DEFAULT_RULES, type ScoringRules } from '../core/scoring.ts';
import { importIntakePrivateKey } from '../core/seal.ts';
import {
  addPageViews,
  assignLead,
  assignments,
  customers,
  markCustomer,
  pageViewsOf,
  TagIndex,
  teamFactsOf,
  views,
  visitors,
  VisitIndex,
  type StoredView,
  type TeamFacts,
} from '../core/team-doc.ts';
import { readToken, sha256Hex } from '../core/team-keys.ts';
import { localDb, readMeta, WorkspaceDb, type WorkspaceRecord } from '../data/db.ts';
import type * as Y from 'yjs';
import { DocLinks } from './doc-links.ts';
import { DocStore, FROM_SNAPSHOT, FROM_STORE } from './doc-store.ts';
import { IntakeFollower, openBoxes } from './intake.ts';
import { project } from './projection.ts';
import { Snapshots } from './snapshots.ts';
import type { StatusPatch } from './status.ts';
import { TeamLedger } from './team-ledger.ts';

const INTAKE = Symbol('intake');
/** `meta.builtWith` once the whole lead table is built with today's rows (score facts). */
const ROWS_BUILT = 'score-facts';
const PROJECT_BATCH = 5_000;

/** Everything known of a lead, folded from the doc with the rules in force. */
export type LeadDetail = LeadSummary & TeamFacts & { languages: string[] };

/** What the workspace tells the page. */
export interface WorkspaceEvents {
  status(patch: StatusPatch): void;
  /** Lead ids whose score just crossed into Hot (in every tab of this member). */
  hot(ids: string[]): void;
  /** Sync bytes for a teammate's browser, over the WebRTC link the page holds. */
  toPeer(link: number, bytes: Uint8Array): void;
  /** A background failure the user should hear about. */
  error(message: string): void;
}

export class Workspace {
  readonly #record: WorkspaceRecord;
  readonly #db: WorkspaceDb;
  readonly #store: DocStore;
  readonly #events: WorkspaceEvents;
  readonly #index: VisitIndex;
  readonly #tags: TagIndex;
  /** The leader tab tells the person's other tabs about hot leads. */
  readonly #hot: BroadcastChannel;
  #links: DocLinks | undefined;
  #snapshots: Snapshots | undefined;
  #team: TeamLedger | undefined;
  /** The workspace's data as the verified ledger has it (null until it has arrived). */
  #verifiedInfo: WorkspaceInfo | null = null;
  /** The data this tab works with, from the moment it joined. */
  #info: WorkspaceInfo | undefined;
  /** `load` has set up everything joining needs. */
  #loaded = false;
  #intakeKey: Promise<CryptoKey> | undefined;
  #leader = false;
  #follower: IntakeFollower | undefined;
  #releaseLeadership: (() => void) | undefined;
  #toProject = new Set<string>();
  #projecting: Promise<void> | undefined;
  /** The whole lead table has been built (see ROWS_BUILT). */
  #built = false;
  /** A pass over every lead is under way (quiet: see `project`). */
  #fullPass = false;
  /** The verified scoring rules in force, and whether the lists have them (in `meta`). */
  #rules: ScoringRules = DEFAULT_RULES;
  #rulesStored = false;
  #diagnostics = { dropped: 0, excluded: 0 };

  private constructor(record: WorkspaceRecord, db: WorkspaceDb, events: WorkspaceEvents) {
    this.#record = record;
    this.#db = db;
    this.#events = events;
    const store = DocStore.create(db);
    this.#store = store;
    this.#index = new VisitIndex(store.doc);
    this.#tags = new TagIndex(store.doc, (leads, origin) => {
      this.#changed(leads, origin);
      this.#events.status({ tagsInUse: this.#tags.allTags() });
    });
    this.#hot = new BroadcastChannel(`converge-hot-${record.id}`);
    this.#hot.onmessage = (event: MessageEvent<string[]>) => {
      this.#events.hot(event.data);
    };
    views(store.doc).observe((event: Y.YMapEvent<StoredView>) => {
      this.#changed(this.#index.apply(event), event.transaction.origin);
    });
    // Maps keyed by lead id: a changed key is a changed lead.
    for (const map of [visitors(store.doc), assignments(store.doc), customers(store.doc)]) {
      map.observe((event) => {
        this.#changed(event.keysChanged, event.transaction.origin);
      });
    }
    store.onFlushed = (dirty) => {
      this.#queueProjection(dirty);
    };
    store.onUpdate = (update, origin) => {
      this.#links?.changed(update, origin);
      this.#snapshots?.changed();
    };
  }

  /** Readies the workspace; its doc stays empty until `load`. */
  static async open(record: WorkspaceRecord, events: WorkspaceEvents): Promise<Workspace> {
    const db = new WorkspaceDb(record.id);
    const ws = new Workspace(record, db, events);
    ws.#built = (await readMeta<string | undefined>(db, 'builtWith', undefined)) === ROWS_BUILT;
    ws.#diagnostics = await readMeta(db, 'diagnostics', ws.#diagnostics);
    // A member who has been here before has the workspace stored; a new one waits for it.
    events.status({ diagnostics: ws.#diagnostics, joined: record.intakePublicKey !== '' });
    return ws;
  }

  /** Loads the team doc and starts everything that needs it. */
  async load(): Promise<void> {
    const record = this.#record;
    const store = this.#store;
    await store.catchUp();
    this.#events.status({ tagsInUse: this.#tags.allTags() });
    this.#team = await TeamLedger.open(
      store.doc,
      this.#db,
      record,
      (team) => {
        this.#events.status({ team });
      },
      (settings) => {
        this.#useRules(settings.scoringRules);
        this.#verifiedInfo = settings.workspace;
        this.#join();
      },
    );
    this.#snapshots = await Snapshots.open(record, store, (patch) => {
      this.#events.status(patch);
    });
    this.#links = new DocLinks(store.doc, `converge-doc-${record.id}`, (link, bytes) => {
      this.#events.toPeer(link, bytes);
    });
    this.#links.onUnreadable = (unreadableSync) => {
      this.#events.status({ unreadableSync });
    };
    this.#events.status({ loaded: true });
    if (!this.#verifiedInfo) {
      // Just joined: the relay snapshot has the workspace even when no teammate is online.
      await this.#snapshots.restore().catch((err: unknown) => {
        this.#events.status({ joinError: err instanceof Error ? err.message : String(err) });
      });
    }
    this.#loaded = true;
    this.#join();
  }

  /** The page's WebRTC links to teammates' browsers. */
  get links(): DocLinks | undefined {
    return this.#links;
  }

  /** Marks leads whose facts changed, to be stored with the doc change and projected. */
  #changed(ids: Iterable<string>, origin: unknown): void {
    // The tab that stored these rows marked their leads in the same transaction.
    if (origin === FROM_STORE) return;
    // A snapshot taken in before the list's first build is covered by that build.
    if (origin === FROM_SNAPSHOT && !this.#built) return;
    this.#store.markDirty(ids);
  }

  /**
   * Starts the work that needs the workspace's data, once it is here: the owner's signed
   * record of it, as the ledger verifies it (from storage, the relay snapshot or a teammate).
   */
  #join(): void {
    const info = this.#verifiedInfo;
    if (!info || !this.#loaded || this.#info) return;
    this.#info = info;
    this.#events.status({
      joinError: '',
      joined: true,
      workspace: { name: info.name, intakePublicKey: info.intakePublicKey },
    });
    this.#team?.ensureMember().catch((err: unknown) => {
      this.#fail(err);
    });
    if (!this.#record.intakePublicKey) {
      this.#record.intakePublicKey = info.intakePublicKey;
      void localDb.workspaces.update(this.#record.id, { intakePublicKey: info.intakePublicKey });
    }
    this.#lead();
  }

  #fail(err: unknown): void {
    this.#events.error(err instanceof Error ? err.message : String(err));
  }

  /** Waits for the leader lock (one tab per person does intake and projection). */
  #lead(): void {
    void navigator.locks.request(`converge-leader-${this.#record.id}`, async () => {
      await this.#becomeLeader().catch((err: unknown) => {
        this.#fail(err);
      });
      await new Promise<void>((resolve) => (this.#releaseLeadership = resolve));
    });
  }

  async #becomeLeader(): Promise<void> {
    // Another tab may have led until now: pick up what it stored.
    await this.#store.catchUp();
    this.#leader = true;
    this.#events.status({ leader: true });
    if (this.#built) {
      this.#queueProjection(await this.#db.dirty.toCollection().primaryKeys());
    } else this.#projectEveryLead();
    const record = this.#record;
    const token = await readToken(record.teamSecret);
    if (!record.registered) {
      await registerWorkspace(record.relayUrl, {
        workspace: record.id,
        readTokenHash: await sha256Hex(token),
      }).then(
        () => localDb.workspaces.update(record.id, { registered: true }),
        (err: unknown) => {
          this.#events.status({ intakeDetail: err instanceof Error ? err.message : String(err) });
        },
      );
    }
    this.#follower = new IntakeFollower({
      relayUrl: record.relayUrl,
      workspaceId: record.id,
      token,
      cursor: await readMeta(this.#db, 'cursor', 0),
      onBatch: (entries, cursor) => this.#ingest(entries, cursor),
      onStatus: (intake, detail) => {
        this.#events.status({ intake, intakeDetail: detail ?? '' });
      },
    });
    this.#follower.start();
    this.#snapshots?.keep();
  }

  /** Opens, validates and applies one batch; cursor and doc change become durable together. */
  async #ingest(entries: LogEntry[], cursor: number): Promise<void> {
    const info = this.#info;
    if (!info) throw new Error('intake before the workspace data arrived');
    this.#intakeKey ??= importIntakePrivateKey(info.intakePrivateKey);
    const opened = entries.length
      ? await openBoxes(await this.#intakeKey, this.#record.id, entries)
      : { events: [], dropped: [] };
    const pageViews: PageView[] = [];
    let excluded = 0;
    for (const e of opened.events) {
      if (e.kind === 'pageview') pageViews.push(e);
      else excluded++;
    }
    addPageViews(this.#store.doc, pageViews, INTAKE);
    this.#diagnostics = {
      dropped: this.#diagnostics.dropped + opened.dropped.length,
      excluded: this.#diagnostics.excluded + excluded,
    };
    await this.#store.flush({ cursor, diagnostics: this.#diagnostics });
    this.#events.status({ diagnostics: this.#diagnostics });
  }

  #queueProjection(ids: Iterable<string>): void {
    if (!this.#leader) return;
    for (const id of ids) this.#toProject.add(id);
    if (this.#projecting) return;
    this.#projecting = this.#projectAll()
      .catch((err: unknown) => {
        this.#fail(err);
      })
      .finally(() => {
        this.#projecting = undefined;
        if (this.#toProject.size) this.#queueProjection([]);
        else if (this.#fullPass) void this.#finishFullPass();
      });
  }

  /**
   * Scores depend on the rules. Rows hold what scores are computed from, not scores, so new
   * rules rewrite no row: the lists read the rules from `meta` and re-score in memory.
   */
  #useRules(rules: ScoringRules): void {
    if (this.#rulesStored && JSON.stringify(rules) === JSON.stringify(this.#rules)) return;
    this.#rules = rules;
    this.#rulesStored = true;
    this.#db.meta.put({ key: 'rules', value: rules }).catch((err: unknown) => {
      this.#fail(err);
    });
  }

  /** Builds the whole lead table from the doc: the first time, or after the rows changed form. */
  #projectEveryLead(): void {
    this.#fullPass = true;
    this.#queueProjection(this.#index.visitorIds());
  }

  async #finishFullPass(): Promise<void> {
    this.#fullPass = false;
    await this.#db.meta.put({ key: 'builtWith', value: ROWS_BUILT });
    this.#built = true;
  }

  async #projectAll(): Promise<void> {
    const doc = this.#store.doc;
    while (this.#toProject.size) {
      const batch = [...this.#toProject].slice(0, PROJECT_BATCH);
      for (const id of batch) this.#toProject.delete(id);
      const leads = batch.map((visitorId) => ({
        visitorId,
        views: pageViewsOf(doc, this.#index.eventsOf(visitorId), visitorId),
        team: teamFactsOf(doc, this.#tags, visitorId),
      }));
      const turnedHot = await project(this.#db, leads, this.#rules, this.#fullPass);
      if (turnedHot.length) {
        this.#events.hot(turnedHot);
        this.#hot.postMessage(turnedHot);
      }
    }
  }

  // Team edits on a lead, made as this member; they reach teammates through the doc.
  assign(leadId: string, to: string | null): void {
    assignLead(this.#store.doc, leadId, to, this.#record.memberId);
  }
  tag(leadId: string, tag: string): void {
    this.#tags.add(leadId, tag, this.#record.memberId);
  }
  untag(leadId: string, tag: string): void {
    this.#tags.remove(leadId, tag);
  }
  markCustomer(leadId: string): void {
    markCustomer(this.#store.doc, leadId, this.#record.memberId);
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
    if (!this.#team) throw new Error('The workspace is still loading: try again in a moment.');
    return this.#team;
  }

  /** Everything known of a lead, folded from the doc with the rules in force. */
  leadDetail(leadId: string): LeadDetail | undefined {
    const doc = this.#store.doc;
    const facts = foldPageViews(pageViewsOf(doc, this.#index.eventsOf(leadId), leadId));
    if (!facts) return undefined;
    const team = teamFactsOf(doc, this.#tags, leadId);
    facts.customer = team.customer;
    const languages = visitors(doc).get(leadId)?.languages ?? [];
    return { ...summarize(facts, this.#rules), ...team, languages };
  }

  /** A lead's page views, newest first. */
  visitsOf(leadId: string): PageView[] {
    return pageViewsOf(this.#store.doc, this.#index.eventsOf(leadId), leadId).sort(
      (a, b) => b.at - a.at || (a.id < b.id ? 1 : -1),
    );
  }

  close(): void {
    this.#hot.close();
    this.#team?.destroy();
    this.#links?.destroy();
    this.#snapshots?.destroy();
    this.#follower?.stop();
    this.#releaseLeadership?.();
    this.#store.destroy();
    this.#db.close();
  }
}
