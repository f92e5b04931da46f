/**
 * The engine worker: the heavy, pure-ish work kept off the main thread — opening sealed intake
 * boxes, validating events, folding page views into lead facts, scoring, and writing the lead
 * projection to IndexedDB. The main thread owns the team doc (WebRTC needs it there) and hands
 * this worker plain data. Errors cross the boundary as plain `{ type, message }` objects.
 */
import * as Comlink from 'comlink';
import * as Y from 'yjs';
import { checkCaptureEvent, type CaptureEvent, type PageView } from '../src/core/capture.ts';
import { foldPageViews, summarize, type LeadSummary } from '../src/core/lead.ts';
import { LeadList, type FacetCounts, type ListQuery } from '../src/core/lead-list.ts';
import type { LogEntry } from '../src/core/relay-protocol.ts';
import type { ScoringRules } from '../src/core/scoring.ts';
import type { TeamFacts } from '../src/core/team-doc.ts';
import { importIntakePrivateKey, open } from '../src/core/seal.ts';
import { encryptSnapshot } from '../src/core/snapshot.ts';
import { snapshotKey } from '../src/core/team-keys.ts';
import { WorkspaceDb, type LeadRow } from '../src/data/db.ts';

export interface OpenedBatch {
  events: CaptureEvent[];
  /** Envelopes that failed decryption or validation: dropped, never blocking later ones. */
  dropped: { seq: number; reason: 'undecryptable' | 'invalid' }[];
}

/** One lead's inputs: all its page views and what teammates decided about it. */
export interface LeadViews {
  visitorId: string;
  views: PageView[];
  team: TeamFacts;
}

export interface ListPage {
  total: number;
  offset: number;
  rows: LeadRow[];
  counts: FacetCounts;
}

export interface ProjectionResult {
  projected: number;
  /** Leads whose score crossed into Hot (70+) with this projection. */
  turnedHot: string[];
}

/** The list row of a lead: its summary's list fields and what teammates decided. */
function rowOf(summary: LeadSummary, team: TeamFacts, rev: number): LeadRow {
  const row: LeadRow = {
    id: summary.id,
    displayName: summary.displayName,
    generatedName: summary.generatedName,
    stage: summary.stage,
    score: summary.score,
    band: summary.band,
    sourceDomain: summary.sourceDomain,
    channel: summary.channel,
    lastActivity: summary.lastActivity,
    assignee: team.assignee ?? '',
    tags: team.tags,
    rev,
  };
  if (summary.country) row.country = summary.country;
  return row;
}

const keys = new Map<string, Promise<CryptoKey>>();
const dbs = new Map<string, WorkspaceDb>();

function dbOf(workspaceId: string): WorkspaceDb {
  let db = dbs.get(workspaceId);
  if (!db) dbs.set(workspaceId, (db = new WorkspaceDb(workspaceId)));
  return db;
}

const api = {
  async openBoxes(
    workspaceId: string,
    privateKey: JsonWebKey,
    entries: LogEntry[],
  ): Promise<OpenedBatch> {
    let key = keys.get(workspaceId);
    if (!key) keys.set(workspaceId, (key = importIntakePrivateKey(privateKey)));
    const k = await key;
    const out: OpenedBatch = { events: [], dropped: [] };
    await Promise.all(
      entries.map(async (entry) => {
        let text: string;
        try {
          text = await open(k, entry.sealed, workspaceId);
        } catch {
          out.dropped.push({ seq: entry.seq, reason: 'undecryptable' });
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          out.dropped.push({ seq: entry.seq, reason: 'invalid' });
          return;
        }
        const checked = checkCaptureEvent(parsed);
        // The event id inside the box must match the id the relay deduplicated on.
        if (!checked.ok || checked.value.id !== entry.id) {
          out.dropped.push({ seq: entry.seq, reason: 'invalid' });
          return;
        }
        out.events.push(checked.value);
      }),
    );
    return out;
  },

  /**
   * One window of the lead list for a query: the total, the rows from `offset`, and the count
   * of each filter option. `fresh`: first catch up with rows written since the last call (the
   * table changed); scrolling through the same answer skips that.
   */
  async list(
    workspaceId: string,
    query: ListQuery,
    offset: number,
    limit: number,
    fresh: boolean,
  ): Promise<ListPage> {
    const { list } = await listingOf(workspaceId, fresh);
    const result = list.query(query);
    const ids = result.ids.slice(Math.max(0, offset), Math.max(0, offset) + limit);
    const rows = await dbOf(workspaceId).leads.bulkGet(ids);
    return {
      total: result.ids.length,
      offset,
      rows: rows.filter((r): r is LeadRow => r !== undefined),
      counts: result.counts,
    };
  },

  /**
   * The team doc as stored in this browser (its update rows merged — no Y.Doc needed),
   * gzipped and encrypted for the relay. Building it here keeps a large doc's encoding off the
   * page's thread.
   */
  async sealedSnapshot(workspaceId: string, teamSecret: string): Promise<Uint8Array<ArrayBuffer>> {
    const rows = await dbOf(workspaceId).updates.toArray();
    const merged = new Uint8Array(Y.mergeUpdates(rows.map((r) => r.update)));
    const sealed = await encryptSnapshot(await snapshotKey(teamSecret), workspaceId, merged);
    return Comlink.transfer(sealed, [sealed.buffer]);
  },

  /**
   * Replaces the stored update rows up to now with one merged row. Rows appended meanwhile (a
   * higher seq) are kept. Returns the highest seq merged and the merged row's seq.
   */
  async compact(workspaceId: string): Promise<{ upTo: number; seq: number } | undefined> {
    const db = dbOf(workspaceId);
    const rows = await db.updates.toArray();
    const upTo = rows[rows.length - 1]?.seq;
    if (upTo === undefined || rows.length < 2) return undefined;
    const merged = Y.mergeUpdates(rows.map((r) => r.update));
    const seq = await db.transaction('rw', db.updates, async () => {
      await db.updates.where('seq').belowOrEqual(upTo).delete();
      return db.updates.add({ update: merged });
    });
    return { upTo, seq };
  },

  /** Starts indexing the lead list (before anyone asks, while the app loads the doc). */
  async warm(workspaceId: string): Promise<void> {
    await listingOf(workspaceId, true);
  },

  /** Every lead id of a query, in list order (for an export). */
  async listIds(workspaceId: string, query: ListQuery): Promise<string[]> {
    const { list } = await listingOf(workspaceId, true);
    return list.query(query).ids;
  },

  /**
   * Folds, scores and stores the given leads. `quiet` is a pass over every lead (the list's
   * first build after a join, a re-score after the rules changed): nothing alerts — every lead
   * would be "new" or "changed" — and dirty marks stay for the next normal pass. Otherwise
   * returns which leads just turned Hot and clears their dirty marks.
   */
  async project(
    workspaceId: string,
    leads: LeadViews[],
    rules: ScoringRules,
    quiet: boolean,
  ): Promise<ProjectionResult> {
    const db = dbOf(workspaceId);
    const rev = Date.now();
    const rows: LeadRow[] = [];
    const gone: string[] = [];
    for (const lead of leads) {
      const facts = foldPageViews(lead.views);
      if (!facts) {
        gone.push(lead.visitorId);
        continue;
      }
      facts.customer = lead.team.customer;
      rows.push(rowOf(summarize(facts, rules), lead.team, rev));
    }
    const turnedHot: string[] = [];
    await db.transaction('rw', db.leads, db.dirty, async () => {
      if (!quiet) {
        const before = await db.leads.bulkGet(rows.map((r) => r.id));
        rows.forEach((row, i) => {
          const old = before[i];
          if (row.score >= 70 && (!old || old.score < 70)) turnedHot.push(row.id);
        });
        await db.dirty.bulkDelete(leads.map((l) => l.visitorId));
      }
      await db.leads.bulkPut(rows);
      if (gone.length) await db.leads.bulkDelete(gone);
    });
    return { projected: rows.length, turnedHot };
  },
};

export type EngineApi = typeof api;

/** A workspace's lead list index in this worker, kept in step with the lead table. */
interface Listing {
  list: LeadList;
  /** Highest `rev` read so far: rows written since are read again. */
  rev: number;
  loading: Promise<void> | undefined;
}

const listings = new Map<string, Listing>();

async function listingOf(workspaceId: string, fresh: boolean): Promise<Listing> {
  let listing = listings.get(workspaceId);
  if (!listing) {
    listing = { list: new LeadList(), rev: 0, loading: undefined };
    listings.set(workspaceId, listing);
    fresh = true;
  }
  if (fresh) {
    const current = listing;
    // One catch-up at a time; a request arriving meanwhile shares it.
    current.loading ??= catchUp(dbOf(workspaceId), current).finally(() => {
      current.loading = undefined;
    });
  }
  if (listing.loading) await listing.loading;
  return listing;
}

/** Reads rows written since the last look; reloads everything at first or if rows went away. */
async function catchUp(db: WorkspaceDb, listing: Listing): Promise<void> {
  if (listing.list.size > 0) {
    // Rows sharing the last rev may have been written after we read: read that rev again.
    const rows = await db.leads.where('rev').aboveOrEqual(listing.rev).toArray();
    listing.list.upsert(rows);
    for (const row of rows) if (row.rev > listing.rev) listing.rev = row.rev;
    if ((await db.leads.count()) === listing.list.size) return;
  }
  const all = await db.leads.toArray();
  listing.list.clear();
  listing.list.upsert(all);
  for (const row of all) if (row.rev > listing.rev) listing.rev = row.rev;
}

Comlink.expose(api);
