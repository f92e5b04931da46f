/**
 * The leads in this browser's storage, written by the leader tab only:
 * - visitors' facts from the intake log — stored once, in segments, in log order — folded into
 *   each lead, together with the intake cursor, in one transaction: a closed tab loses and
 *   doubles nothing, and the log is read again from the stored cursor;
 * - team edits folded in again when the team doc changes a lead's team facts.
 * Every write says what changed (`changed`): the new list rows, for the list worker, and the
 * leads, for anyone showing one. Writes are done one at a time, in the order asked.
 */
import { ObservableV2 } from 'lib0/observable';
import { toFailure, type Failure } from '../contracts/errors.ts';
import { decodeSegment, encodeSegment, groupByLead, type LoggedEvent } from '../core/facts.ts';
import { leadOf, withEvents, type Lead, type LeadRow, type TeamFacts } from '../core/lead.ts';
import type { RetentionDays } from '../core/ledger.ts';
import {
  byTime,
  eventTime,
  keptByTeam,
  sweptThrough,
  verdictOf,
  type Moment,
} from '../core/sweep.ts';
import { readMeta, type FactSegment, type WorkspaceDb } from '../data/db.ts';
import { countSmallSegments, mergeSmallSegments, SMALL_SEGMENT } from './fact-segments.ts';
import { dropSweptFacts, keptEvents, storedMoments } from './swept-facts.ts';

/** What one write changed. */
export interface LeadChange {
  rows: LeadRow[];
  gone: string[];
  /** Leads changed by live intake (a Hot alert is for those only). */
  live: string[];
}

export interface ProjectionEvents {
  changed: (change: LeadChange) => void;
  /** Writing failed (the failure), or works again (null). */
  storage: (failure: Failure | null) => void;
  /** Facts from at or before the sweep horizon came in: they are to be swept again. */
  late: () => void;
}

/** What a sweep did. */
export interface SweepResult {
  /** Leads that left. */
  removed: number;
  /** Leads that stayed with what came after a quiet stretch (visitors who came back). */
  revived: number;
  /** Events dropped from storage. */
  events: number;
}

/** Leads written per transaction when taking in many at once (a snapshot's facts). */
const CHUNK = 5_000;
/** Facts taken in at once that are folded in memory (beyond, a segment at a time). */
const IN_MEMORY_EVENTS = 300_000;
/** Small segments (live intake writes one per batch) are merged once there are this many. */
const MERGE_AFTER_SMALL = 64;
/**
 * Chat events of visitors with no page view yet (the chat's outbox can reach the relay before
 * the page view's): kept, by visitor, until their first page view makes the lead. Bounded, as
 * anyone may send them: the oldest visitors give way, and each keeps its latest events.
 */
const WAITING_VISITORS = 200;
const WAITING_EACH = 10;

export class Projection extends ObservableV2<ProjectionEvents> {
  readonly #db: WorkspaceDb;
  readonly #teamOf: (leadId: string) => TeamFacts;
  #cursor = 0;
  #rev = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #failing = false;
  /** Chat events waiting for their visitor's first page view, by visitor. */
  #waiting = new Map<string, LoggedEvent[]>();
  #smallSegments = 0;

  readonly #inMemoryEvents: number;
  /** The retention sweep's horizon (see core/sweep.ts): facts at or before it come in late. */
  horizon = 0;

  constructor(
    db: WorkspaceDb,
    teamOf: (leadId: string) => TeamFacts,
    options: { inMemoryEvents?: number } = {},
  ) {
    super();
    this.#db = db;
    this.#teamOf = teamOf;
    this.#inMemoryEvents = options.inMemoryEvents ?? IN_MEMORY_EVENTS;
  }

  /** Reads where intake stopped (another tab may have led until now). */
  async open(): Promise<void> {
    await this.#serial(async () => {
      this.#cursor = await readMeta(this.#db, 'cursor', 0);
      this.#rev = await readMeta(this.#db, 'rev', 0);
      this.#smallSegments = await countSmallSegments(this.#db);
      this.#waiting = new Map(await readMeta<[string, LoggedEvent[]][]>(this.#db, 'waiting', []));
    });
  }

  /** The intake log is stored up to here. */
  get cursor(): number {
    return this.#cursor;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Stores a batch of the intake log (its page views, in log order) and folds each lead's new
   * page views into it; the cursor moves to `cursor` in the same transaction. Events at or
   * below the stored cursor are already in and are skipped. `meta` is stored with it.
   */
  ingest(
    events: readonly LoggedEvent[],
    cursor: number,
    options: { live: boolean; meta?: Record<string, unknown>; segment?: Uint8Array },
  ): Promise<void> {
    return this.#serial(() => this.#ingest(events, cursor, options));
  }

  async #ingest(
    events: readonly LoggedEvent[],
    cursor: number,
    options: { live: boolean; meta?: Record<string, unknown>; segment?: Uint8Array },
  ): Promise<void> {
    if (cursor <= this.#cursor) return;
    // The relay keeps one entry per event id; a second copy in one batch is dropped all the same.
    const ids = new Set<string>();
    const fresh = events.filter(
      (e) => e.seq > this.#cursor && e.seq <= cursor && !ids.has(e.id) && ids.add(e.id),
    );
    const segment: FactSegment | undefined = fresh.length
      ? {
          last: cursor,
          first: fresh[0]?.seq ?? cursor,
          count: fresh.length,
          // A segment taken in whole (from a snapshot) is stored as it came.
          bytes:
            options.segment && fresh.length === events.length
              ? options.segment
              : await encodeSegment(fresh),
        }
      : undefined;
    const byLead = groupByLead(fresh);
    const leadIds = [...byLead.keys()];
    const rev = this.#rev + 1;
    const late = this.#late(fresh);
    const db = this.#db;
    const leads: Lead[] = [];
    let waiting = this.#waiting;
    await this.#write(() =>
      db.transaction('rw', db.facts, db.leads, db.meta, async () => {
        const stored = await db.leads.bulkGet(leadIds);
        // Folded on a copy: were the transaction tried again, it starts from the same place.
        waiting = new Map(this.#waiting);
        leads.splice(0, leads.length, ...this.#foldWaiting(leadIds, stored, byLead, rev, waiting));
        if (segment) await db.facts.put(segment);
        if (leads.length) await db.leads.bulkPut(leads);
        const meta: Record<string, unknown> = { ...options.meta, cursor, rev };
        if (this.#waiting.size || waiting.size) meta.waiting = [...waiting];
        // Kept with the facts: a tab closed before sweeping them still sweeps them next time.
        if (late) meta.sweepAgain = true;
        await db.meta.bulkPut(Object.entries(meta).map(([key, value]) => ({ key, value })));
      }),
    );
    this.#cursor = cursor;
    this.#rev = rev;
    this.#waiting = waiting;
    if (segment && segment.count < SMALL_SEGMENT) this.#smallSegments++;
    if (leads.length) {
      this.emit('changed', [
        {
          rows: leads.map((l) => l.row),
          gone: [],
          live: options.live ? leads.map((l) => l.id) : [],
        },
      ]);
    }
    if (late) this.emit('late', []);
    if (this.#smallSegments >= MERGE_AFTER_SMALL) {
      this.#smallSegments = await mergeSmallSegments(this.#db);
    }
  }

  #late(events: readonly LoggedEvent[]): boolean {
    return this.horizon > 0 && events.some((e) => eventTime(e) <= this.horizon);
  }

  /**
   * Takes in the facts of a snapshot (its segments, in log order) beyond the stored cursor.
   * The segments and the cursor are stored first, in one transaction; then the leads are folded
   * in memory and told (the list shows them all at once), then written, a chunk per
   * transaction. Writing one row per lead is what costs; the list need not wait for it. Were
   * the tab closed meanwhile, the stored segments are folded in again when it next leads
   * (`resume`): folding is idempotent, so leads written before, or since, come out the same.
   */
  takeIn(segments: readonly Uint8Array[], cursor: number): Promise<{ invalid: number }> {
    return this.#serial(async () => {
      if (cursor <= this.#cursor) return { invalid: 0 };
      const from = this.#cursor;
      const kept: FactSegment[] = [];
      // Kept in memory while there are not too many to hold at once; else read back a
      // segment at a time.
      let events: LoggedEvent[] | undefined = [];
      let invalid = 0;
      for (const bytes of segments) {
        const decoded = await decodeSegment(bytes);
        invalid += decoded.invalid;
        const fresh = decoded.events.filter((e) => e.seq > from && e.seq <= cursor);
        const first = fresh[0];
        const last = fresh[fresh.length - 1];
        if (!first || !last) continue;
        // A segment wholly beyond the cursor is stored as it came.
        const whole = fresh.length === decoded.events.length && decoded.invalid === 0;
        kept.push({
          last: last.seq,
          first: first.seq,
          count: fresh.length,
          bytes: whole ? bytes : await encodeSegment(fresh),
        });
        if (events && events.length + fresh.length <= this.#inMemoryEvents) events.push(...fresh);
        else events = undefined;
      }
      const db = this.#db;
      const rev = this.#rev + 1;
      // A snapshot taken before the horizon holds facts to sweep.
      const late = this.horizon > 0 && kept.length > 0;
      await this.#write(() =>
        db.transaction('rw', db.facts, db.meta, async () => {
          await db.facts.bulkPut(kept);
          await db.meta.bulkPut([
            { key: 'cursor', value: cursor },
            { key: 'rev', value: rev },
            // Where folding started: what `resume` folds in again if the tab closes meanwhile.
            { key: 'folding', value: from },
            ...(late ? [{ key: 'sweepAgain', value: true }] : []),
          ]);
        }),
      );
      this.#cursor = cursor;
      this.#rev = rev;
      if (events) await this.#foldIn(events);
      else await this.#foldStored(from);
      await this.#write(() => db.meta.delete('folding'));
      if (late) this.emit('late', []);
      return { invalid };
    });
  }

  /** Folds in the stored facts again if taking in a snapshot was cut short (see `takeIn`). */
  resume(): Promise<void> {
    return this.#serial(async () => {
      const from = await readMeta<number | undefined>(this.#db, 'folding', undefined);
      if (from === undefined) return;
      // A new rev: the leads written now must be newer than any a list has copied.
      this.#rev++;
      await this.#write(() =>
        this.#db.meta.put({ key: 'rev', value: this.#rev }).then(() => undefined),
      );
      await this.#foldStored(from);
      await this.#write(() => this.#db.meta.delete('folding'));
    });
  }

  /** Folds many facts into their leads: all told at once, then written a chunk at a time. */
  async #foldIn(events: readonly LoggedEvent[]): Promise<void> {
    const db = this.#db;
    const byLead = groupByLead(events);
    const ids = [...byLead.keys()];
    // A browser that has no leads yet (a new member) has nothing to read back.
    const known = (await db.leads.count()) > 0;
    const leads: Lead[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      leads.push(...(await this.#fold(ids.slice(i, i + CHUNK), byLead, known)));
    }
    for (let i = 0; i < leads.length; i += CHUNK) {
      this.emit('changed', [
        { rows: leads.slice(i, i + CHUNK).map((l) => l.row), gone: [], live: [] },
      ]);
    }
    for (let i = 0; i < leads.length; i += CHUNK) {
      const chunk = leads.slice(i, i + CHUNK);
      await this.#write(() => db.leads.bulkPut(chunk).then(() => undefined));
    }
  }

  /** Folds the stored segments above `from` into their leads, one segment at a time. */
  async #foldStored(from: number): Promise<void> {
    const db = this.#db;
    const keys = await db.facts.where('last').above(from).primaryKeys();
    for (const key of keys) {
      const segment = await db.facts.get(key);
      if (!segment) continue;
      const events = (await decodeSegment(segment.bytes)).events.filter((e) => e.seq > from);
      const byLead = groupByLead(events);
      const leads = await this.#fold([...byLead.keys()], byLead, true);
      this.emit('changed', [{ rows: leads.map((l) => l.row), gone: [], live: [] }]);
      await this.#write(() => db.leads.bulkPut(leads).then(() => undefined));
    }
  }

  /** The given leads with their new page views folded in (read back first when `known`). */
  async #fold(ids: string[], byLead: Map<string, LoggedEvent[]>, known: boolean): Promise<Lead[]> {
    const stored = known ? await this.#db.leads.bulkGet(ids) : [];
    const waiting = new Map(this.#waiting);
    const leads = this.#foldWaiting(ids, stored, byLead, this.#rev, waiting);
    if (this.#waiting.size || waiting.size) {
      await this.#db.meta.put({ key: 'waiting', value: [...waiting] });
    }
    this.#waiting = waiting;
    return leads;
  }

  /**
   * Folds each lead's new events in; a visitor with chat events and no page view yet has no
   * lead: their events wait (in `waiting`, changed here) and come in with their first page view.
   */
  #foldWaiting(
    ids: readonly string[],
    stored: readonly (Lead | undefined)[],
    byLead: Map<string, LoggedEvent[]>,
    rev: number,
    waiting: Map<string, LoggedEvent[]>,
  ): Lead[] {
    const leads: Lead[] = [];
    ids.forEach((id, i) => {
      const known = stored[i];
      const early = known ? undefined : waiting.get(id);
      const events = [...(early ?? []), ...(byLead.get(id) ?? [])];
      const lead = withEvents(known, id, events, this.#teamOf(id), rev);
      waiting.delete(id);
      if (lead) {
        leads.push(lead);
        return;
      }
      const chat = events.filter((e) => e.kind !== 'pageview');
      if (chat.length) waiting.set(id, chat.slice(-WAITING_EACH));
    });
    for (const oldest of waiting.keys()) {
      if (waiting.size <= WAITING_VISITORS) break;
      waiting.delete(oldest);
    }
    return leads;
  }

  /** Folds the team doc's facts in again for these leads (those this browser has). */
  reproject(ids: Iterable<string>): Promise<void> {
    const wanted = [...ids];
    return this.#serial(async () => {
      const db = this.#db;
      const rev = this.#rev + 1;
      const leads: Lead[] = [];
      await this.#write(() =>
        db.transaction('rw', db.leads, db.dirty, db.meta, async () => {
          const stored = await db.leads.bulkGet(wanted);
          for (const lead of stored) {
            if (lead) leads.push(leadOf(lead.id, lead.facts, this.#teamOf(lead.id), rev));
          }
          if (leads.length) {
            await db.leads.bulkPut(leads);
            await db.meta.put({ key: 'rev', value: rev });
          }
          await db.dirty.bulkDelete(wanted);
        }),
      );
      if (leads.length) this.#rev = rev;
      if (leads.length)
        this.emit('changed', [{ rows: leads.map((l) => l.row), gone: [], live: [] }]);
    });
  }

  /**
   * Sweeps to `horizon` (the rule is core/sweep.ts): every stored fact read once to decide each
   * lead, then the leads that go deleted (or folded again from what they keep), then their
   * swept events dropped from the segments. In that order, so a sweep cut short is done again
   * whole: until the segments shrink, they still hold what decided it.
   */
  sweep(horizon: number, retention: RetentionDays): Promise<SweepResult> {
    return this.#serial(async () => {
      const db = this.#db;
      const moments = await storedMoments(db);
      const gone: string[] = [];
      const swept = new Map<string, Moment>();
      const revived = new Map<string, Moment>();
      for (const [id, list] of moments) {
        list.sort(byTime);
        const through = sweptThrough(list, horizon, retention);
        const verdict = verdictOf(list, through, this.#teamOf(id));
        if (verdict === 'keep' || !through) continue;
        swept.set(id, through);
        if (verdict === 'gone') gone.push(id);
        else revived.set(id, through);
      }
      moments.clear();
      if (swept.size === 0) {
        await this.#write(() => db.meta.delete('sweepAgain'));
        return { removed: 0, revived: 0, events: 0 };
      }
      this.#rev++;
      const rev = this.#rev;
      // A visitor who came back is folded again from what came after the quiet stretch; one
      // whose kept events hold no page view waits, out of the list, for their next one.
      const kept = revived.size ? await keptEvents(db, revived) : new Map<string, LoggedEvent[]>();
      const waiting = new Map(this.#waiting);
      const ids = [...revived.keys()].filter((id) => {
        const keep = keptByTeam(this.#teamOf(id));
        if (keep) swept.delete(id);
        return !keep;
      });
      const folded = this.#foldWaiting(ids, [], kept, rev, waiting);
      const stay = new Set(folded.map((l) => l.id));
      for (const id of ids) if (!stay.has(id)) gone.push(id);
      for (let i = 0; i < Math.max(gone.length, folded.length); i += CHUNK) {
        // A teammate may have acted on a lead since it was decided: theirs to keep after all,
        // with every fact.
        const leaving = gone.slice(i, i + CHUNK).filter((id) => {
          const keep = keptByTeam(this.#teamOf(id));
          if (keep) swept.delete(id);
          return !keep;
        });
        const leads = folded.slice(i, i + CHUNK);
        await this.#write(() =>
          db.transaction('rw', db.leads, db.meta, async () => {
            await db.leads.bulkDelete(leaving);
            await db.leads.bulkPut(leads);
            await db.meta.bulkPut([
              { key: 'rev', value: rev },
              { key: 'waiting', value: [...waiting] },
            ]);
          }),
        );
        this.emit('changed', [{ rows: leads.map((l) => l.row), gone: leaving, live: [] }]);
      }
      this.#waiting = waiting;
      let events = 0;
      await this.#write(async () => {
        events = await dropSweptFacts(db, swept);
        this.#smallSegments = await mergeSmallSegments(db);
        await db.meta.delete('sweepAgain');
      });
      return {
        removed: gone.filter((id) => swept.has(id)).length,
        revived: folded.length,
        events,
      };
    });
  }

  /** Every stored segment, in log order, and the cursor they reach: what a snapshot carries. */
  facts(): Promise<{ cursor: number; segments: Uint8Array[] }> {
    return this.#serial(async () => ({
      cursor: this.#cursor,
      segments: (await this.#db.facts.toArray()).map((s) => s.bytes),
    }));
  }

  /** Runs a write; a failure is reported (and rethrown) so the user hears storage is failing. */
  async #write(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.#failing = true;
      this.emit('storage', [toFailure(err)]);
      throw err;
    }
    if (this.#failing) {
      this.#failing = false;
      this.emit('storage', [null]);
    }
  }
}
