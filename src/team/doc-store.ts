/**
 * Persists the team doc in the workspace database: every change is appended as an update row
 * (in the same transaction as the intake cursor and the leads it touched), and the rows are
 * compacted into one snapshot once there are many, so storage never grows without bound.
 */
import * as Y from 'yjs';
import type { WorkspaceDb } from '../data/db.ts';

const COMPACT_AFTER_ROWS = 300;

/** Origin of transactions that replay stored updates: they must not be stored again. */
export const FROM_STORE = Symbol('from-store');
/** Origin of a whole state taken in from the relay snapshot (stored as it came). */
export const FROM_SNAPSHOT = Symbol('from-snapshot');

export class DocStore {
  readonly doc: Y.Doc;
  readonly #db: WorkspaceDb;
  get db(): WorkspaceDb {
    return this.#db;
  }
  #pending: Uint8Array[] = [];
  #dirty = new Set<string>();
  #lastSeq = 0;
  #flushing: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Called after each flush with the leads whose facts changed. */
  onFlushed: (dirty: Set<string>) => void = () => {};
  /**
   * Called with every change this store saves (not replays of stored rows or snapshots): the
   * doc's one 'update' listener, so stored and adopted state is never re-encoded.
   */
  onUpdate: (update: Uint8Array, origin: unknown) => void = () => {};

  private constructor(db: WorkspaceDb, doc: Y.Doc) {
    this.#db = db;
    this.doc = doc;
    doc.on('update', this.#onUpdate);
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === FROM_STORE || origin === FROM_SNAPSHOT) return;
    this.#pending.push(update);
    this.#schedule();
    this.onUpdate(update, origin);
  };

  /**
   * Applies stored or received state without listening: with no 'update' listener Yjs does
   * not encode the change again (a second or more for a large doc) just to hand it over.
   */
  #applyQuietly(apply: () => void): void {
    this.doc.off('update', this.#onUpdate);
    try {
      apply();
    } finally {
      this.doc.on('update', this.#onUpdate);
    }
  }

  static async open(db: WorkspaceDb): Promise<DocStore> {
    const store = DocStore.create(db);
    await store.catchUp();
    return store;
  }

  /** A store whose doc is still empty: `catchUp()` loads what is stored. */
  static create(db: WorkspaceDb): DocStore {
    return new DocStore(db, new Y.Doc({ gc: true }));
  }

  /** Applies update rows other tabs stored since we last looked. */
  async catchUp(): Promise<void> {
    const rows = await this.#db.updates.where('seq').above(this.#lastSeq).toArray();
    if (rows.length === 0) return;
    // Applied one by one: merging first would re-encode a large doc for nothing.
    this.#applyQuietly(() => {
      this.doc.transact(() => {
        for (const row of rows) Y.applyUpdate(this.doc, row.update, FROM_STORE);
      }, FROM_STORE);
    });
    this.#lastSeq = rows[rows.length - 1]?.seq ?? this.#lastSeq;
  }

  /**
   * Takes in a whole state from elsewhere (the relay snapshot): stored as one row exactly as
   * received — re-encoding a large doc costs seconds — then applied.
   */
  async adopt(update: Uint8Array): Promise<void> {
    const db = this.#db;
    await db.transaction('rw', db.updates, async () => {
      await this.catchUp();
      this.#lastSeq = await db.updates.add({ update });
    });
    this.#applyQuietly(() => {
      Y.applyUpdate(this.doc, update, FROM_SNAPSHOT);
    });
  }

  /** Marks leads whose facts changed; they are stored with the next flush. */
  markDirty(ids: Iterable<string>): void {
    for (const id of ids) this.#dirty.add(id);
    this.#schedule();
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, 20);
  }

  /**
   * Writes pending updates, dirty lead ids and `meta` in one transaction: an intake batch's
   * doc change and its cursor become durable together or not at all.
   */
  flush(meta: Record<string, unknown> = {}): Promise<void> {
    const run = async (): Promise<void> => {
      const updates = this.#pending;
      const dirty = this.#dirty;
      this.#pending = [];
      this.#dirty = new Set();
      if (updates.length === 0 && dirty.size === 0 && Object.keys(meta).length === 0) return;
      const db = this.#db;
      await db.transaction('rw', db.updates, db.dirty, db.meta, async () => {
        if (updates.length) {
          this.#lastSeq = await db.updates.add({ update: Y.mergeUpdates(updates) });
        }
        if (dirty.size) await db.dirty.bulkPut([...dirty].map((id) => ({ id })));
        const entries = Object.entries(meta);
        if (entries.length) await db.meta.bulkPut(entries.map(([key, value]) => ({ key, value })));
      });
      if (dirty.size) this.onFlushed(dirty);
      if ((await db.updates.count()) > COMPACT_AFTER_ROWS) await this.#compact();
    };
    this.#flushing = this.#flushing.then(run, run);
    return this.#flushing;
  }

  /** The doc as stored, its update rows merged (no re-encoding of the live doc). */
  async stored(): Promise<Uint8Array<ArrayBuffer>> {
    const rows = await this.#db.updates.toArray();
    // A fresh buffer of its own (never shared memory): no need to copy megabytes to say so.
    return Y.mergeUpdates(rows.map((r) => r.update)) as Uint8Array<ArrayBuffer>;
  }

  /**
   * Replaces the stored rows up to now with one merged row. Rows appended meanwhile (a higher
   * seq, by another tab) are kept.
   */
  async #compact(): Promise<void> {
    const db = this.#db;
    const rows = await db.updates.toArray();
    const upTo = rows[rows.length - 1]?.seq;
    if (upTo === undefined || rows.length < 2) return;
    const merged = Y.mergeUpdates(rows.map((r) => r.update));
    const seq = await db.transaction('rw', db.updates, async () => {
      await db.updates.where('seq').belowOrEqual(upTo).delete();
      return db.updates.add({ update: merged });
    });
    // This tab holds everything merged: the merged row is nothing new to it.
    if (this.#lastSeq >= upTo) this.#lastSeq = Math.max(this.#lastSeq, seq);
  }

  destroy(): void {
    clearTimeout(this.#timer);
    this.doc.destroy();
  }
}
