/**
 * The list worker's own copy of the list rows in IndexedDB, so that a reload shows the list at
 * once: reading a hundred blocks of a thousand rows costs a fraction of reading a hundred
 * thousand rows one by one (IndexedDB's cost is per row). Changes are appended as blocks; once
 * they outweigh the list, the copy is rewritten whole. It is a copy: rows the team worker wrote
 * since (a higher `rev`) are read from the leads themselves.
 */
import type { LeadRow } from '../core/lead.ts';
import type { ListBlock, WorkspaceDb } from '../data/db.ts';

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

  /** Every row as last copied, the newest copy of each; `rev`: the highest among them. */
  async read(): Promise<{ rows: Map<string, LeadRow>; rev: number }> {
    const rows = new Map<string, LeadRow>();
    let rev = 0;
    let copied = 0;
    const blocks = await this.#db.list.toArray();
    for (const block of blocks) {
      for (const row of block.rows) {
        rows.set(row.id, row);
        if (row.rev > rev) rev = row.rev;
      }
      for (const id of block.gone) rows.delete(id);
      copied += block.rows.length;
    }
    this.#blocks = blocks.length;
    // Copies of rows that a later block replaced: what a rewrite would save.
    this.#appended = copied - rows.size;
    return { rows, rev };
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
