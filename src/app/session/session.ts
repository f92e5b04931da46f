/**
 * An open workspace in this tab: the team doc (loaded from and persisted to IndexedDB, synced
 * with teammates), the engine worker, and — in the one tab that holds the leader lock — intake
 * from the relay, projection of changed leads into the list table and the relay snapshot.
 * Other tabs of the same person read the shared tables and take over when the leader closes.
 * A member who just joined has no workspace data yet: the session waits for it (from the
 * relay snapshot or a teammate) before any work that needs it.
 */
import * as Comlink from 'comlink';
import type * as Y from 'yjs';
import type { PageView } from '../../core/capture.ts';
import type { LogEntry } from '../../core/relay-protocol.ts';
import { DEFAULT_RULES, type ScoringRules } from '../../core/scoring.ts';
import {
  addPageViews,
  assignLead,
  assignments,
  customers,
  markCustomer,
  pageViewsOf,
  TagIndex,
  teamFactsOf,
  type TeamFacts,
  readWorkspaceInfo,
  views,
  visitors,
  VisitIndex,
  type StoredView,
  type WorkspaceInfo,
} from '../../core/team-doc.ts';
import { readToken, sha256Hex } from '../../core/team-keys.ts';
import { localDb, readMeta, WorkspaceDb, type WorkspaceRecord } from '../../data/db.ts';
import type { EngineApi, ListPage } from '../../../workers/engine.worker.ts';
import type { ListQuery } from '../../core/lead-list.ts';
import { foldPageViews, summarize, type LeadSummary } from '../../core/lead.ts';
import { DocStore, FROM_SNAPSHOT, FROM_STORE } from './doc-store.ts';
import { IntakeFollower } from './intake.ts';
import { registerWorkspace } from './relay-client.ts';
import { SessionStatus } from './session-status.svelte.ts';
import { TeamLedger } from './team-ledger.ts';
import { TeamSync } from './team-sync.ts';

const INTAKE = Symbol('intake');
const PROJECT_BATCH = 5_000;
const INGEST_SLICE = 100;

export class Session {
  readonly record: WorkspaceRecord;
  readonly db: WorkspaceDb;
  readonly #store: DocStore;
  readonly #index: VisitIndex;
  readonly #tags: TagIndex;
  readonly #worker: Worker;
  readonly #engine: Comlink.Remote<EngineApi>;
  #info: WorkspaceInfo | undefined;
  #sync: TeamSync | undefined;
  #team: TeamLedger | undefined;
  #follower: IntakeFollower | undefined;
  #releaseLeadership: (() => void) | undefined;
  #toProject = new Set<string>();
  #projecting: Promise<void> | undefined;
  /** Rules the whole lead table was last built with (in `meta`); none before the first build. */
  #builtWith: string | undefined;
  /** A pass over every lead is under way (quiet: see the engine's `project`). */
  #fullPass = false;
  /** The verified scoring rules in force. */
  #rules: ScoringRules = DEFAULT_RULES;

  /** Reactive state the UI reads. */
  readonly status: SessionStatus;
  /** Called, in every tab of this member, with lead ids whose score just crossed into Hot. */
  onHot: (ids: string[]) => void = () => {};
  /** The leader tab tells the person's other tabs about hot leads. */
  readonly #hot: BroadcastChannel;
  /** Background failures the user should hear about. */
  onError: (err: unknown) => void = () => {};

  private constructor(
    record: WorkspaceRecord,
    db: WorkspaceDb,
    store: DocStore,
    worker: Worker,
    engine: Comlink.Remote<EngineApi>,
  ) {
    this.record = record;
    this.status = new SessionStatus(record.memberId);
    this.db = db;
    this.#store = store;
    this.#index = new VisitIndex(store.doc);
    this.#tags = new TagIndex(store.doc, (leads, origin) => {
      this.#changed(leads, origin);
      this.status.tagsInUse = this.#tags.allTags();
    });
    this.status.tagsInUse = this.#tags.allTags();
    this.#worker = worker;
    this.#engine = engine;
    this.#hot = new BroadcastChannel(`converge-hot-${record.id}`);
    this.#hot.onmessage = (event: MessageEvent<string[]>) => {
      this.onHot(event.data);
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
    store.compactor = () => engine.compact(record.id);
  }

  /**
   * Opens the workspace in two steps, so a large one shows its list at once: `open` readies
   * what the list needs (the database and the engine, which indexes the list); `load` then
   * loads the team doc (seconds for 100,000 leads, all on this thread) and starts sync,
   * intake and the rest. Until `status.loaded`, the doc is empty.
   */
  static async open(record: WorkspaceRecord): Promise<Session> {
    const db = new WorkspaceDb(record.id);
    const worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), {
      type: 'module',
    });
    const engine = Comlink.wrap<EngineApi>(worker);
    engine.warm(record.id).catch(() => {
      // A failure shows on the list's first real request.
    });
    const session = new Session(record, db, DocStore.create(db), worker, engine);
    session.#builtWith = await readMeta<string | undefined>(db, 'builtWith', undefined);
    session.status.diagnostics = await readMeta(db, 'diagnostics', { dropped: 0, excluded: 0 });
    // A member who has been here before has the workspace stored; a new one waits for it.
    session.status.joined = record.intakePublicKey !== '';
    return session;
  }

  /** The list shows its first rows: loading the doc may now hold up this thread. */
  listShown(): void {
    this.#listShown();
  }
  #listShown: () => void = () => {};

  /** Loads the team doc and starts everything that needs it (see `open`). */
  async load(): Promise<void> {
    // A returning member sees the stored list first; a new one has nothing to show yet.
    if (this.status.joined) {
      const shown = new Promise<void>((resolve) => (this.#listShown = resolve));
      await Promise.race([shown, new Promise((resolve) => setTimeout(resolve, 1_500))]);
    }
    const { record, db } = this;
    const store = this.#store;
    await store.catchUp();
    this.#team = await TeamLedger.open(store.doc, db, record, this.status, (settings) => {
      this.#useRules(settings.scoringRules);
    });
    const sync = await TeamSync.start(record, store, this.status, () =>
      this.#engine.sealedSnapshot(record.id, record.teamSecret),
    );
    this.#sync = sync;
    this.status.loaded = true;
    if (!readWorkspaceInfo(store.doc)) {
      // Just joined: the relay snapshot has the workspace even when no teammate is online.
      await sync.restore().catch((err: unknown) => {
        this.status.joinError = err instanceof Error ? err.message : String(err);
      });
    }
    this.#whenJoined();
  }

  /** Marks leads whose facts changed, to be stored with the doc change and projected. */
  #changed(ids: Iterable<string>, origin: unknown): void {
    // The tab that stored these rows marked their leads in the same transaction.
    if (origin === FROM_STORE) return;
    // A snapshot taken in before the list's first build is covered by that build.
    if (origin === FROM_SNAPSHOT && this.#builtWith === undefined) return;
    this.#store.markDirty(ids);
  }

  /** Starts the work that needs the workspace's data once it is here. */
  #whenJoined(): void {
    const workspace = this.doc.getMap('workspace');
    const check = (): void => {
      const info = readWorkspaceInfo(this.doc);
      if (!info || this.#info) return;
      workspace.unobserve(check);
      this.#info = info;
      this.status.joinError = '';
      this.status.joined = true;
      this.#team?.ensureMember().catch((err: unknown) => {
        this.onError(err);
      });
      if (!this.record.intakePublicKey) {
        this.record.intakePublicKey = info.intakePublicKey;
        void localDb.workspaces.update(this.record.id, { intakePublicKey: info.intakePublicKey });
      }
      this.#lead();
    };
    workspace.observe(check);
    check();
  }

  get doc(): Y.Doc {
    return this.#store.doc;
  }
  /** The workspace's shared data; undefined until it has arrived (see `status.joined`). */
  get info(): WorkspaceInfo | undefined {
    return this.#info;
  }
  get sync(): TeamSync | undefined {
    return this.#sync;
  }
  /** The verified team: sign role and setting changes through it. */
  get team(): TeamLedger {
    if (!this.#team) throw new Error('The workspace is still loading: try again in a moment.');
    return this.#team;
  }

  /** Waits for the leader lock (one tab per person does intake and projection). */
  #lead(): void {
    if (!('locks' in navigator)) {
      this.#becomeLeader().catch((err: unknown) => {
        this.onError(err);
      });
      return;
    }
    void navigator.locks.request(`converge-leader-${this.record.id}`, async () => {
      await this.#becomeLeader().catch((err: unknown) => {
        this.onError(err);
      });
      await new Promise<void>((resolve) => (this.#releaseLeadership = resolve));
    });
  }

  async #becomeLeader(): Promise<void> {
    // Another tab may have led until now: pick up what it stored.
    await this.#store.catchUp();
    this.status.leader = true;
    if (this.#builtWith === JSON.stringify(this.#rules)) {
      this.#queueProjection(await this.db.dirty.toCollection().primaryKeys());
    } else this.#projectEveryLead();
    const token = await readToken(this.record.teamSecret);
    if (!this.record.registered) {
      await registerWorkspace(this.record.relayUrl, {
        workspace: this.record.id,
        readTokenHash: await sha256Hex(token),
      }).then(
        () => localDb.workspaces.update(this.record.id, { registered: true }),
        (err: unknown) => {
          this.status.intakeDetail = err instanceof Error ? err.message : String(err);
        },
      );
    }
    this.#follower = new IntakeFollower({
      relayUrl: this.record.relayUrl,
      workspaceId: this.record.id,
      token,
      cursor: await readMeta(this.db, 'cursor', 0),
      onBatch: (entries, cursor) => this.#ingest(entries, cursor),
      onStatus: (status, detail) => {
        this.status.intake = status;
        this.status.intakeDetail = detail ?? '';
      },
    });
    this.#follower.start();
    this.#sync?.keepSnapshot();
  }

  /** Opens, validates and applies one batch; cursor and doc change become durable together. */
  async #ingest(entries: LogEntry[], cursor: number): Promise<void> {
    const key = this.#info?.intakePrivateKey;
    if (!key) throw new Error('intake before the workspace data arrived');
    const opened = entries.length
      ? await this.#engine.openBoxes(this.record.id, key, entries)
      : { events: [], dropped: [] };
    const pageViews: PageView[] = [];
    let excluded = 0;
    for (const e of opened.events) {
      if (e.kind === 'pageview') pageViews.push(e);
      else excluded++;
    }
    // In slices, yielding between them: a burst of visits must not hold up the page.
    for (let from = 0; from < pageViews.length; from += INGEST_SLICE) {
      if (from > 0) await new Promise((resolve) => setTimeout(resolve, 0));
      addPageViews(this.#store.doc, pageViews.slice(from, from + INGEST_SLICE), INTAKE);
    }
    const diagnostics = {
      dropped: this.status.diagnostics.dropped + opened.dropped.length,
      excluded: this.status.diagnostics.excluded + excluded,
    };
    await this.#store.flush({ cursor, diagnostics });
    this.status.diagnostics = diagnostics;
  }

  #queueProjection(ids: Iterable<string>): void {
    if (!this.status.leader) return;
    for (const id of ids) this.#toProject.add(id);
    if (this.#projecting) return;
    this.#projecting = this.#projectAll()
      .catch((err: unknown) => {
        this.onError(err);
      })
      .finally(() => {
        this.#projecting = undefined;
        if (this.#toProject.size) this.#queueProjection([]);
        else if (this.#fullPass) void this.#finishFullPass();
      });
  }

  /** Scores depend on the rules: when the verified rules change, every lead is re-scored. */
  #useRules(rules: ScoringRules): void {
    if (JSON.stringify(rules) === JSON.stringify(this.#rules)) return;
    this.#rules = rules;
    if (this.status.leader) this.#projectEveryLead();
  }

  /** Builds the whole lead table from the doc: the first time, and after a rules change. */
  #projectEveryLead(): void {
    this.#fullPass = true;
    this.#queueProjection(this.#index.visitorIds());
  }

  async #finishFullPass(): Promise<void> {
    this.#fullPass = false;
    const builtWith = JSON.stringify(this.#rules);
    await this.db.meta.put({ key: 'builtWith', value: builtWith });
    this.#builtWith = builtWith;
  }

  async #projectAll(): Promise<void> {
    while (this.#toProject.size) {
      const batch = [...this.#toProject].slice(0, PROJECT_BATCH);
      for (const id of batch) this.#toProject.delete(id);
      const leads = batch.map((visitorId) => ({
        visitorId,
        views: pageViewsOf(this.doc, this.#index.eventsOf(visitorId), visitorId),
        team: teamFactsOf(this.doc, this.#tags, visitorId),
      }));
      const result = await this.#engine.project(this.record.id, leads, this.#rules, this.#fullPass);
      if (result.turnedHot.length) {
        this.onHot(result.turnedHot);
        this.#hot.postMessage(result.turnedHot);
      }
    }
  }

  // Team edits on a lead, made as this member; they reach teammates through the doc.
  assign(leadId: string, to: string | null): void {
    assignLead(this.doc, leadId, to, this.record.memberId);
  }
  tag(leadId: string, tag: string): void {
    this.#tags.add(leadId, tag, this.record.memberId);
  }
  untag(leadId: string, tag: string): void {
    this.#tags.remove(leadId, tag);
  }
  markCustomer(leadId: string): void {
    markCustomer(this.doc, leadId, this.record.memberId);
  }
  /** The languages the visitor's browser asked for, latest visit first. */
  languagesOf(leadId: string): string[] {
    return visitors(this.doc).get(leadId)?.languages ?? [];
  }
  /** One window of the lead list (see the engine's `list`). */
  list(query: ListQuery, offset: number, limit: number, fresh: boolean): Promise<ListPage> {
    return this.#engine.list(this.record.id, query, offset, limit, fresh);
  }
  listIds(query: ListQuery): Promise<string[]> {
    return this.#engine.listIds(this.record.id, query);
  }

  /** Everything known of a lead, folded from the doc with the rules in force. */
  leadDetail(leadId: string): (LeadSummary & TeamFacts) | undefined {
    const facts = foldPageViews(pageViewsOf(this.doc, this.#index.eventsOf(leadId), leadId));
    if (!facts) return undefined;
    const team = teamFactsOf(this.doc, this.#tags, leadId);
    facts.customer = team.customer;
    return { ...summarize(facts, this.#rules), ...team };
  }

  /** A lead's page views, newest first. */
  visitsOf(leadId: string): PageView[] {
    return pageViewsOf(this.doc, this.#index.eventsOf(leadId), leadId).sort(
      (a, b) => b.at - a.at || (a.id < b.id ? 1 : -1),
    );
  }

  close(): void {
    this.#hot.close();
    this.#team?.destroy();
    this.#sync?.destroy();
    this.#follower?.stop();
    this.#releaseLeadership?.();
    this.#engine[Comlink.releaseProxy]();
    this.#worker.terminate();
    this.#store.destroy();
    this.db.close();
  }
}
