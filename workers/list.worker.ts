/**
 * The list worker: answers the lead lists' queries from an in-memory index of every lead's list
 * fields (`src/core/lead-list.ts`), kept in step with the lead table the team worker writes.
 * IndexedDB cannot answer "L2, unassigned, tagged vip, newest first, rows 4,000–4,040" fast at
 * 100,000 rows; this answers it in one pass, with the count of each filter option.
 */
import * as Comlink from 'comlink';
import { LeadList, type FacetCounts, type ListQuery } from '../src/core/lead-list.ts';
import { bandOf, DEFAULT_RULES, type ScoringRules } from '../src/core/scoring.ts';
import { readMeta, WorkspaceDb, type ScoredRow } from '../src/data/db.ts';

export interface ListPage {
  total: number;
  offset: number;
  rows: ScoredRow[];
  counts: FacetCounts;
}

const dbs = new Map<string, WorkspaceDb>();

function dbOf(workspaceId: string): WorkspaceDb {
  let db = dbs.get(workspaceId);
  if (!db) dbs.set(workspaceId, (db = new WorkspaceDb(workspaceId)));
  return db;
}

const api = {
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
    const rows: ScoredRow[] = [];
    for (const row of await dbOf(workspaceId).leads.bulkGet(ids)) {
      if (!row) continue;
      const score = list.scoreOf(row.id) ?? 0;
      rows.push({ ...row, score, band: bandOf(score) });
    }
    return { total: result.ids.length, offset, rows, counts: result.counts };
  },

  /** Starts indexing the lead list (before anyone asks, while the team worker loads the doc). */
  async warm(workspaceId: string): Promise<void> {
    await listingOf(workspaceId, true);
  },

  /** Every lead id of a query, in list order (for an export). */
  async listIds(workspaceId: string, query: ListQuery): Promise<string[]> {
    const { list } = await listingOf(workspaceId, true);
    return list.query(query).ids;
  },
};

export type ListApi = typeof api;

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
  // The team worker stores the verified rules: new ones re-score every lead, in memory.
  listing.list.useRules(await readMeta<ScoringRules>(db, 'rules', DEFAULT_RULES));
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
