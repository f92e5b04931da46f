/**
 * Persists the team doc in the workspace database: every change is appended as an update row
 * (in the same transaction as the leads it touched, marked dirty for projection), and the rows
 * are compacted into one once there are many, so storage never grows without bound.
 *
 * A write that fails (storage full, a closed database) loses nothing: its changes go back in
 * front of the queue and the write is tried again, later and later, until it succeeds; the
 * store says meanwhile that storage is failing, so the user hears of it.
 */
import { ObservableV2 } from 'lib0/observable';
import * as Y from 'yjs';
import { toFailure, type Failure } from '../contracts/errors.ts';
import { realTimers, type Timers } from '../contracts/time.ts';
import type { WorkspaceDb } from '../data/db.ts';

const COMPACT_AFTER_ROWS = 300;
const FLUSH_AFTER_MS = 20;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** Origin of transactions that replay stored updates: they must not be stored again. */
export const FROM_STORE = Symbol('from-store');
/** Origin of a whole state taken in from the relay snapshot (stored as it came). */
export const FROM_SNAPSHOT = Symbol('from-snapshot');

export interface DocStoreEvents {
  /** After each write, the leads whose team facts changed. */
  flushed: (dirty: Set<string>) => void;
  /**
   * Every change this store saves (not replays of stored rows or snapshots): the doc's one
   * 'update' listener, so stored and adopted state is never encoded again.
   */
  update: (update: Uint8Array, origin: unknown) => void;
  /** Writing failed (the failure), or works again after failing (null). */
  storage: (failure: Failure | null) => void;
}

export class DocStore extends ObservableV2<DocStoreEvents> {
  readonly doc: Y.Doc;
  readonly #db: WorkspaceDb;
  readonly #timers: Timers;
  #pending: Uint8Array[] = [];
  #dirty = new Set<string>();
  #lastSeq = 0;
  #flushing: Promise<void> = Promise.resolve();
  #timer: unknown;
  #retryIn = RETRY_FIRST_MS;
  #failing = false;

  private constructor(db: WorkspaceDb, doc: Y.Doc, timers: Timers) {
    super();
    this.#db = db;
    this.doc = doc;
    this.#timers = timers;
    doc.on('update', this.#onUpdate);
  }

  get db(): WorkspaceDb {
    return this.#db;
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === FROM_STORE || origin === FROM_SNAPSHOT) return;
    this.#pending.push(update);
    this.#schedule(FLUSH_AFTER_MS);
    this.emit('update', [update, origin]);
  };

  /**
   * Applies stored or received state without listening: with no 'update' listener Yjs does
   * not encode the change again (a second or more for a large doc) just to hand it over.
   */
  #applyQuietly<T>(apply: () => T): T {
    this.doc.off('update', this.#onUpdate);
    try {
      return apply();
    } finally {
      this.doc.on('update', this.#onUpdate);
    }
  }

  static async open(db: WorkspaceDb, timers: Timers = realTimers): Promise<DocStore> {
    const store = DocStore.create(db, timers);
    await store.catchUp();
    return store;
  }

  /** A store whose doc is still empty: `catchUp()` loads what is stored. */
  static create(db: WorkspaceDb, timers: Timers = realTimers): DocStore {
    return new DocStore(db, new Y.Doc({ gc: true }), timers);
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
   * Takes in a whole state from elsewhere (the relay snapshot) and stores what it brought. Into
   * an empty doc the rows are stored exactly as received: encoding a large doc again costs time
   * for nothing. Into one that had state, only what is new: a snapshot taken in again (after a
   * conflicting upload, say), or a teammate's holding ours and a few edits more, must not store
   * the whole doc once more — every reload would apply it twice.
   */
  async adopt(updates: readonly Uint8Array[]): Promise<void> {
    const db = this.#db;
    let brought: readonly Uint8Array[] = [];
    try {
      await db.transaction('rw', db.updates, async () => {
        await this.catchUp();
        brought = this.#takeIn(updates);
        for (const update of brought) this.#lastSeq = await db.updates.add({ update });
      });
    } catch (err) {
      // Taken in but not stored: kept with the pending changes, stored once writing works.
      if (brought.length) {
        this.#pending.push(...brought);
        this.#failed(err);
      }
      throw err;
    }
  }

  /** Applies a whole state; what of it is new to this doc, to be stored (nothing: none). */
  #takeIn(updates: readonly Uint8Array[]): readonly Uint8Array[] {
    const doc = this.doc;
    const empty = doc.store.clients.size === 0;
    const before = Y.encodeStateVector(doc);
    const applied = this.#applyQuietly(() =>
      doc.transact((tr) => {
        for (const update of updates) Y.applyUpdate(doc, update, FROM_SNAPSHOT);
        return tr;
      }, FROM_SNAPSHOT),
    );
    if (!changedBy(applied)) return [];
    return empty ? updates : [Y.encodeStateAsUpdate(doc, before)];
  }

  /** Marks leads whose team facts changed; they are stored with the next write. */
  markDirty(ids: Iterable<string>): void {
    for (const id of ids) this.#dirty.add(id);
    this.#schedule(FLUSH_AFTER_MS);
  }

  #schedule(delay: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(() => {
        // Reported as a storage failure, and tried again.
      });
    }, delay);
  }

  /** Writes pending updates and dirty lead ids in one transaction; rejects when it failed. */
  flush(): Promise<void> {
    const run = async (): Promise<void> => {
      const updates = this.#pending;
      const dirty = this.#dirty;
      if (updates.length === 0 && dirty.size === 0) return;
      this.#pending = [];
      this.#dirty = new Set();
      const db = this.#db;
      try {
        await db.transaction('rw', db.updates, db.dirty, async () => {
          if (updates.length) {
            this.#lastSeq = await db.updates.add({ update: Y.mergeUpdates(updates) });
          }
          if (dirty.size) await db.dirty.bulkPut([...dirty].map((id) => ({ id })));
        });
      } catch (err) {
        // Nothing is lost: the changes go back before any made meanwhile, and are tried again.
        this.#pending = [...updates, ...this.#pending];
        for (const id of dirty) this.#dirty.add(id);
        this.#failed(err);
        throw err;
      }
      this.#recovered();
      if (dirty.size) this.emit('flushed', [dirty]);
      if ((await db.updates.count()) > COMPACT_AFTER_ROWS) {
        // A failed compaction leaves the rows as they were: it is tried after a later write.
        await this.#compact().catch(() => undefined);
      }
    };
    this.#flushing = this.#flushing.then(run, run);
    return this.#flushing;
  }

  #failed(err: unknown): void {
    this.#failing = true;
    this.emit('storage', [toFailure(err)]);
    this.#schedule(this.#retryIn);
    this.#retryIn = Math.min(RETRY_MAX_MS, this.#retryIn * 2);
  }

  #recovered(): void {
    this.#retryIn = RETRY_FIRST_MS;
    if (!this.#failing) return;
    this.#failing = false;
    this.emit('storage', [null]);
  }

  /** The doc as stored: its update rows, in order (what the relay snapshot carries). */
  async stored(): Promise<Uint8Array[]> {
    return (await this.#db.updates.toArray()).map((r) => r.update);
  }

  /**
   * Replaces the stored rows up to now with the doc as one update. Rows appended meanwhile (a
   * higher seq, by another tab) are kept. Encoding the doc from memory costs Yjs less than
   * merging its stored updates.
   */
  async #compact(): Promise<void> {
    const db = this.#db;
    await this.catchUp();
    const upTo = this.#lastSeq;
    if ((await db.updates.where('seq').belowOrEqual(upTo).count()) < 2) return;
    const merged = Y.encodeStateAsUpdate(this.doc);
    const seq = await db.transaction('rw', db.updates, async () => {
      await db.updates.where('seq').belowOrEqual(upTo).delete();
      return db.updates.add({ update: merged });
    });
    // This tab holds everything merged: the merged row is nothing new to it.
    if (this.#lastSeq === upTo) this.#lastSeq = seq;
  }

  override destroy(): void {
    this.#timers.clearTimeout(this.#timer);
    this.doc.destroy();
    super.destroy();
  }
}

/** Whether a finished transaction changed its doc: items it did not have, or deletions. */
function changedBy(tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of tr.afterState)
    if (tr.beforeState.get(client) !== clock) return true;
  return false;
}
