/**
 * The list worker's work: every lead's list row in memory (`LeadList`), loaded from the
 * worker's own copy and kept up to date by the team worker's feed; answers for the page's
 * window, pushed again when the leads in it change; Hot alerts for leads that live intake
 * pushed over 70. Nothing here reads IndexedDB to learn what changed: the feed says so. It
 * reads the leads themselves only to catch up with what was written while it was not listening.
 */
import { toFailure } from '../contracts/errors.ts';
import { Feed, type FeedMessage, type ListEvents, type ListPage } from '../contracts/list.ts';
import { LeadList } from '../core/lead-list.ts';
import { type ListQuery } from '../core/list-query.ts';
import { unreadFor, type LeadRow, type ScoredRow } from '../core/lead.ts';
import { bandOf, DEFAULT_RULES, scorer, type ScoringRules } from '../core/scoring.ts';
import { readMeta, WorkspaceDb } from '../data/db.ts';
import { realTimers, type Timers } from '../contracts/time.ts';
import { OverviewIndex, type OverviewFigures, type Period } from '../core/overview.ts';
import { ListCopy, type ListHead } from './list-copy.ts';

/** The page's window is pushed again at most this often while leads keep changing. */
const PUSH_EVERY_MS = 50;
/** Changes are copied to storage at most this often. */
const COPY_EVERY_MS = 1_000;
/** Leads read per request when catching up with every lead. */
const CATCH_UP_CHUNK = 5_000;

interface View {
  query: ListQuery;
  offset: number;
  limit: number;
}

export class ListService {
  readonly #db: WorkspaceDb;
  readonly #events: ListEvents;
  readonly #timers: Timers;
  readonly #list = new LeadList<LeadRow>();
  readonly #copy: ListCopy;
  /** Highest `rev` of the rows held: rows written above it are read on catch-up. */
  #rev = 0;
  #loaded: Promise<void>;
  #isLoaded = false;
  /** The top of each list as last noted: the first window, until the list has loaded. */
  readonly #head: Promise<ListHead | undefined>;
  /** The team worker keeps the verified rules; until it speaks, the last ones it stored. */
  readonly #rules: Promise<ScoringRules>;
  #view: View | undefined;
  #pushTimer: unknown;
  #lastPush = -Infinity;
  #copyTimer: unknown;
  #toCopy = new Map<string, LeadRow>();
  #goneToCopy = new Set<string>();
  #catchingUp: Promise<void> = Promise.resolve();
  /** Leads whose visitor wrote: the only ones an unread count needs to look at. */
  readonly #conversations = new Set<string>();
  /** The Overview's counts, made when it is first asked for, then kept up to date. */
  #overview: OverviewIndex | undefined;
  /** The period the Overview shows (its figures are pushed when they change). */
  #overviewPeriod: Period | undefined;

  constructor(workspaceId: string, events: ListEvents, timers: Timers = realTimers) {
    this.#db = new WorkspaceDb(workspaceId);
    this.#events = events;
    this.#timers = timers;
    this.#copy = new ListCopy(this.#db);
    this.#head = this.#copy.readHead().catch(() => undefined);
    this.#rules = readMeta<ScoringRules>(this.#db, 'rules', DEFAULT_RULES);
    this.#loaded = this.#load();
  }

  #fail = (err: unknown): void => {
    this.#events.error(toFailure(err));
  };

  get loaded(): Promise<void> {
    return this.#loaded;
  }

  async #load(): Promise<void> {
    const started = performance.now();
    this.#list.useRules(await this.#rules);
    this.#rev = await this.#copy.read(
      (rows, gone) => {
        this.#list.upsert(rows);
        this.#list.remove(gone);
        this.#noteConversations(rows, gone);
      },
      () => this.#list.size,
    );
    await this.#catchUp();
    this.#isLoaded = true;
    // Visible in the browser's performance tools (and read by the benchmark).
    performance.measure('converge:list-load', { start: started });
    // A window painted from the head gets its counts, and whatever changed since.
    if (this.#view) this.#events.page(this.#page(this.#view));
  }

  /** Reads the leads written since the rows held (by any tab, while this one was away). */
  #catchUp(): Promise<void> {
    const db = this.#db;
    /** Reads these leads' rows into the list, a chunk per request. */
    const read = async (ids: string[]): Promise<void> => {
      for (let i = 0; i < ids.length; i += CATCH_UP_CHUNK) {
        const leads = await db.leads.bulkGet(ids.slice(i, i + CATCH_UP_CHUNK));
        this.#apply(
          leads.flatMap((lead) => (lead ? [lead.row] : [])),
          [],
          [],
        );
      }
    };
    const run = async (): Promise<void> => {
      await read(await db.leads.where('rev').above(this.#rev).primaryKeys());
      // Leads the copy missed (a reload before it was written) or that went away unseen: their
      // ids tell which; only the missing are read, a chunk per request (reading a million
      // leads at once would hold the worker for minutes).
      if ((await db.leads.count()) !== this.#list.size) {
        const keys = await db.leads.toCollection().primaryKeys();
        const present = new Set(keys);
        await read(keys.filter((id) => !this.#list.get(id)));
        this.#apply(
          [],
          [...this.#list.ids()].filter((id) => !present.has(id)),
          [],
        );
      }
    };
    this.#catchingUp = this.#catchingUp.then(run, run);
    return this.#catchingUp;
  }

  /** The team worker's feed. */
  connect(port: MessagePort): void {
    port.onmessage = (event: MessageEvent<FeedMessage>) => {
      void this.#loaded.then(() => {
        this.#receive(event.data);
      });
    };
  }

  #receive(message: FeedMessage): void {
    switch (message.type) {
      case Feed.leads:
        this.#apply(message.rows, message.gone, message.live);
        break;
      case Feed.rules:
        this.#list.useRules(message.rules);
        // Every band may have moved: counted again when next asked for.
        this.#overview = undefined;
        this.#schedulePush();
        break;
      case Feed.hello:
        // Whatever was written before the team worker spoke is in storage.
        this.#catchUp().catch(this.#fail);
        break;
    }
  }

  #apply(rows: readonly LeadRow[], gone: readonly string[], live: readonly string[]): void {
    if (rows.length === 0 && gone.length === 0) return;
    const fresh = rows.filter((row) => (this.#list.get(row.id)?.rev ?? -1) <= row.rev);
    // A visitor who just wrote (live intake only: a backlog or a join never alerts).
    const alive = new Set(live);
    const wrote = fresh.filter((row) => {
      const said = row.lastMessage;
      if (!alive.has(row.id) || said?.from !== 'visitor') return false;
      return said.at > (this.#list.get(row.id)?.lastMessage?.at ?? 0);
    });
    for (const row of fresh) {
      if (row.rev > this.#rev) this.#rev = row.rev;
      this.#toCopy.set(row.id, row);
      this.#goneToCopy.delete(row.id);
    }
    // The Overview's counts (once it was asked for): each changed lead out, then in again.
    const counted = this.#overview ? fresh.map((row) => row.id) : [];
    this.#countInOverview(gone, -1);
    this.#countInOverview(counted, -1);
    this.#list.remove(gone);
    for (const id of gone) {
      this.#goneToCopy.add(id);
      this.#toCopy.delete(id);
    }
    const turnedHot = this.#list.upsert(fresh);
    this.#countInOverview(counted, 1);
    this.#noteConversations(fresh, gone);
    if (wrote.length) {
      const scored = wrote.map((row) => this.#scored(row.id));
      this.#events.message(scored.filter((r): r is ScoredRow => r !== undefined));
    }
    if (live.length && turnedHot.length) {
      const hot = turnedHot.filter((id) => alive.has(id)).map((id) => this.#scored(id));
      const rowsHot = hot.filter((r): r is ScoredRow => r !== undefined);
      if (rowsHot.length) this.#events.hot(rowsHot);
    }
    this.#schedulePush();
    this.#scheduleCopy();
  }

  /** Counts leads, as the list holds them now, in (+1) or out (-1) of the Overview's counts. */
  #countInOverview(ids: readonly string[], by: 1 | -1): void {
    const overview = this.#overview;
    if (!overview) return;
    for (const id of ids) {
      const row = this.#list.get(id);
      if (row) overview.count(row, bandOf(this.#list.scoreOf(id) ?? 0), by);
    }
  }

  #overviewNow(period: Period): OverviewFigures {
    let overview = this.#overview;
    if (!overview) {
      overview = this.#overview = new OverviewIndex();
      for (const row of this.#list.ordered()) {
        overview.count(row, bandOf(this.#list.scoreOf(row.id) ?? 0), 1);
      }
    }
    return overview.figures(period);
  }

  async watchOverview(period: Period | undefined): Promise<OverviewFigures | undefined> {
    this.#overviewPeriod = period;
    if (!period) return undefined;
    await this.#loaded;
    const started = performance.now();
    const figures = this.#overviewNow(period);
    // Visible in the browser's performance tools (and read by the benchmark).
    performance.measure('converge:overview', { start: started });
    return figures;
  }

  #scored(id: string): ScoredRow | undefined {
    const row = this.#list.get(id);
    if (!row) return undefined;
    const score = this.#list.scoreOf(id) ?? 0;
    return {
      ...row,
      score,
      band: bandOf(score),
      unread: unreadFor(row, this.#view?.query.me ?? ''),
    };
  }

  #noteConversations(rows: readonly LeadRow[], gone: readonly string[]): void {
    for (const row of rows) {
      if (row.visitorMessageTimes.length) this.#conversations.add(row.id);
      else this.#conversations.delete(row.id);
    }
    for (const id of gone) this.#conversations.delete(id);
  }

  #page(view: View): ListPage {
    const result = this.#list.query(view.query);
    const offset = Math.max(0, view.offset);
    const rows: ScoredRow[] = [];
    for (const id of result.ids.slice(offset, offset + Math.max(0, view.limit))) {
      const row = this.#scored(id);
      if (row) rows.push(row);
    }
    let unreadConversations = 0;
    for (const id of this.#conversations) {
      const row = this.#list.get(id);
      if (row && unreadFor(row, view.query.me) > 0) unreadConversations++;
    }
    return { total: result.ids.length, offset, rows, counts: result.counts, unreadConversations };
  }

  async show(query: ListQuery, offset: number, limit: number): Promise<ListPage> {
    this.#view = { query, offset, limit };
    if (!this.#isLoaded) {
      const early = await this.#fromHead(this.#view);
      if (early) return early;
    }
    await this.#loaded;
    return this.#page({ query, offset, limit });
  }

  /** The first window of an unfiltered list, from its head, while the list loads. */
  async #fromHead(view: View): Promise<ListPage | undefined> {
    const q = view.query;
    const unfiltered =
      q.sort === 'activity' &&
      q.assignment === 'all' &&
      q.stages.length === 0 &&
      q.tags.length === 0 &&
      q.origin === undefined &&
      q.band === undefined &&
      !q.search.trim();
    const head = unfiltered ? await this.#head : undefined;
    const rows = head?.[q.kind];
    if (!head || !rows || view.offset !== 0) return undefined;
    // The head holds the first rows of the list: enough for a window at its top.
    if (rows.length < view.limit && rows.length < head.totals[q.kind]) return undefined;
    if (this.#isLoaded) return undefined;
    const score = scorer(await this.#rules);
    return {
      total: head.totals[q.kind],
      offset: 0,
      rows: rows.slice(0, view.limit).map((row) => {
        const s = score(row.scoring);
        return { ...row, score: s, band: bandOf(s), unread: unreadFor(row, q.me) };
      }),
      counts: undefined,
    };
  }

  async ids(query: ListQuery): Promise<string[]> {
    await this.#loaded;
    return this.#list.query(query).ids;
  }

  #schedulePush(): void {
    // Until the list has loaded, the load's end pushes the window.
    const watched = this.#view ?? this.#overviewPeriod;
    if (this.#pushTimer !== undefined || !watched || !this.#isLoaded) return;
    // At once after a quiet spell (a page view shows without waiting); at most every
    // PUSH_EVERY_MS while changes keep coming.
    const wait = Math.max(0, this.#lastPush + PUSH_EVERY_MS - performance.now());
    this.#pushTimer = this.#timers.setTimeout(() => {
      this.#pushTimer = undefined;
      this.#lastPush = performance.now();
      if (this.#view) this.#events.page(this.#page(this.#view));
      if (this.#overviewPeriod) this.#events.overview(this.#overviewNow(this.#overviewPeriod));
    }, wait);
  }

  #scheduleCopy(): void {
    if (this.#copyTimer !== undefined) return;
    this.#copyTimer = this.#timers.setTimeout(() => {
      this.#copyTimer = undefined;
      void this.#copyNow();
    }, COPY_EVERY_MS);
  }

  async #copyNow(): Promise<void> {
    const rows = [...this.#toCopy.values()];
    const gone = [...this.#goneToCopy];
    this.#toCopy.clear();
    this.#goneToCopy.clear();
    try {
      await this.#copy.append(rows, gone, () => this.#list.ordered(), this.#list.size);
      await this.#copy.writeHead(this.#list.ordered());
    } catch (err) {
      // The copy is only a head start: what it misses is read from the leads next time.
      this.#fail(err);
    }
  }

  close(): void {
    this.#timers.clearTimeout(this.#pushTimer);
    this.#timers.clearTimeout(this.#copyTimer);
    this.#db.close();
  }
}
