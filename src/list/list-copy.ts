/**
 * The list worker's own copy of the list rows in IndexedDB, so that a reload shows the list at
 * once: reading a hundred blocks of a thousand rows costs a fraction of reading a hundred
 * thousand rows one by one (IndexedDB's cost is per row). Changes are appended as blocks; once
 * they outweigh the list, the copy is rewritten whole. It is a copy: rows the team worker wrote
 * since (a higher `rev`) are read from the leads themselves.
 */
import type { LeadRow } from '../core/lead.ts';
import { readMeta, type ListBlock, type WorkspaceDb } from '../data/db.ts';

/** Newest rows kept apart, per list, for the first paint. */
const HEAD_ROWS = 200;

/**
 * The top of each list (newest activity first) and its length, kept apart from the copy: the
 * first window of a list, unfiltered, is painted from it before the copy is read — reading a
 * million rows takes seconds.
 */
export interface ListHead {
  leads: LeadRow[];
  inbox: LeadRow[];
  totals: { leads: number; inbox: number };
  /** The highest rev it saw: a lead written since makes it stale. */
  rev: number;
}

/** Blocks read per request (of BLOCK_ROWS rows each). */
const READ_BLOCKS = 4;
/** Rows per block when the copy is rewritten. */
const BLOCK_ROWS = 5_000;
/** Rewrite once the appended blocks hold more rows than this many times the list. */
const REWRITE_AFTER = 1;
/** … or once there are this many blocks. */
const MAX_BLOCKS = 200;

export class ListCopy {
  readonly #db: WorkspaceDb;
  #blocks = 0;
  /** Rows appended since the last rewrite (roughly: superseded copies). */
  #appended = 0;

  constructor(db: WorkspaceDb) {
    this.#db = db;
  }

  /**
   * Hands over the copy block by block, oldest first (a later block's row replaces an earlier
   * copy; `gone` removes), a few blocks per request: each request's rows are decoded in a task
   * of their own, so the worker answers the page meanwhile (from the head). `size` tells how
   * many rows the receiver holds at the end. Answers the highest `rev` seen.
   */
  async read(take: (rows: LeadRow[], gone: string[]) => void, size: () => number): Promise<number> {
    let rev = 0;
    let copied = 0;
    const keys = await this.#db.list.toCollection().primaryKeys();
    for (let i = 0; i < keys.length; i += READ_BLOCKS) {
      const blocks = await this.#db.list.bulkGet(keys.slice(i, i + READ_BLOCKS));
      for (const block of blocks) {
        if (!block) continue;
        for (const row of block.rows) if (row.rev > rev) rev = row.rev;
        take(block.rows, block.gone);
        copied += block.rows.length;
      }
    }
    this.#blocks = keys.length;
    // Copies of rows that a later block replaced: what a rewrite would save.
    this.#appended = copied - size();
    return rev;
  }

  /** Appends changes; rewrites the copy from `all` when appended changes outweigh it. */
  async append(
    rows: LeadRow[],
    gone: string[],
    all: () => Iterable<LeadRow>,
    size: number,
  ): Promise<void> {
    if (rows.length === 0 && gone.length === 0) return;
    this.#appended += rows.length;
    if (this.#blocks >= MAX_BLOCKS || this.#appended > Math.max(BLOCK_ROWS, size * REWRITE_AFTER)) {
      await this.rewrite(all());
      return;
    }
    // In blocks of the usual size: one huge row costs as much to read back as many small ones.
    const blocks: ListBlock[] = [];
    for (let i = 0; i < rows.length; i += BLOCK_ROWS) {
      blocks.push({ rows: rows.slice(i, i + BLOCK_ROWS), gone: i === 0 ? gone : [] });
    }
    if (blocks.length === 0) blocks.push({ rows: [], gone });
    await this.#db.list.bulkAdd(blocks);
    this.#blocks += blocks.length;
  }

  /** The head, when no lead was written after it (else undefined: it would show old rows). */
  async readHead(): Promise<ListHead | undefined> {
    const head = await readMeta<ListHead | undefined>(this.#db, 'listHead', undefined);
    const newest = await this.#db.leads.orderBy('rev').last();
    return head && (newest?.rev ?? 0) <= head.rev ? head : undefined;
  }

  /** Notes the head of the lists, from every row newest first. */
  async writeHead(ordered: Iterable<LeadRow>): Promise<void> {
    const head: ListHead = { leads: [], inbox: [], totals: { leads: 0, inbox: 0 }, rev: 0 };
    for (const row of ordered) {
      if (row.rev > head.rev) head.rev = row.rev;
      if (row.stage !== 'L4') {
        if (head.totals.leads++ < HEAD_ROWS) head.leads.push(row);
      }
      if (row.stage === 'L3' || row.stage === 'L4') {
        if (head.totals.inbox++ < HEAD_ROWS) head.inbox.push(row);
      }
    }
    await this.#db.meta.put({ key: 'listHead', value: head });
  }

  /** Replaces the copy with these rows. */
  async rewrite(all: Iterable<LeadRow>): Promise<void> {
    const db = this.#db;
    const blocks: LeadRow[][] = [];
    let block: LeadRow[] = [];
    for (const row of all) {
      block.push(row);
      if (block.length === BLOCK_ROWS) {
        blocks.push(block);
        block = [];
      }
    }
    if (block.length) blocks.push(block);
    await db.transaction('rw', db.list, async () => {
      await db.list.clear();
      await db.list.bulkAdd(blocks.map((rows) => ({ rows, gone: [] })));
    });
    this.#blocks = blocks.length;
    this.#appended = 0;
  }
}
