/**
 * The encrypted snapshot of the workspace on the relay — the team doc and the visitors' facts up
 * to a log cursor — which lets a member load the workspace with no teammate online. The leader
 * tab keeps it fresh: a few seconds after changes, and at least every 30 s while they keep
 * coming, only when the doc or the facts moved on from the stored one. Uploads say which
 * version they extend (If-Match); on a conflict the newer snapshot is taken in first, so no
 * member's upload can erase another's work, nor cover less of the log than the one it replaces.
 */
import * as Y from 'yjs';
import { toFailure } from '../contracts/errors.ts';
import type { BackupStatus, RelaySnapshot, StatusPatch } from '../contracts/team.ts';
import { realClock, realTimers, type Clock, type Timers } from '../contracts/time.ts';
import { fromBase64Url, toBase64Url } from '../core/bytes.ts';
import { decryptSnapshot, encryptSnapshot, type SnapshotContents } from '../core/snapshot.ts';
import { readToken, snapshotKey } from '../core/team-keys.ts';
import { readMeta, type WorkspaceRecord } from '../data/db.ts';
import type { DocStore } from './doc-store.ts';
import { downloadSnapshot, RelayError, snapshotOnRelay, uploadSnapshot } from './relay-client.ts';

const UPLOAD_AFTER_MS = 2_000;
const UPLOAD_AT_LEAST_EVERY_MS = 30_000;

/** The visitors' facts side of the workspace: what a snapshot carries and restores. */
export interface SnapshotFacts {
  /** The stored facts and the cursor they reach. */
  read(): Promise<{ cursor: number; segments: Uint8Array[] }>;
  /** Takes in a snapshot's facts beyond what is stored. */
  takeIn(segments: readonly Uint8Array[], cursor: number): Promise<unknown>;
}

/** A snapshot taken in, and the doc's state it holds (what an upload must go beyond). */
interface Restored {
  version: number;
  contents: SnapshotContents;
  state: Uint8Array;
}

interface Stored {
  version: number;
  /** The doc's state vector, base64url. */
  state: string;
  cursor: number;
  /** When this browser stored or loaded that version (absent in records from before). */
  at?: number;
  action?: 'stored' | 'loaded';
}

export class Snapshots {
  readonly #record: WorkspaceRecord;
  readonly #store: DocStore;
  readonly #report: (patch: StatusPatch) => void;
  readonly #key: CryptoKey;
  readonly #token: string;
  readonly #timers: Timers;
  readonly #clock: Clock;
  #facts: SnapshotFacts | undefined;
  /** Snapshot version this browser already contains (what an upload extends). */
  #version = 0;
  /** The doc's state vector and the cursor when they last matched the relay's snapshot. */
  #inSnapshot: { state: Uint8Array; cursor: number } | undefined;
  /** A snapshot restored before this tab led: its facts wait for `keep`. */
  #restored: Restored | undefined;
  #timer: unknown;
  #firstChangeAt = 0;
  #uploading = false;
  #backup: BackupStatus = {};

  private constructor(
    record: WorkspaceRecord,
    store: DocStore,
    report: (patch: StatusPatch) => void,
    keys: { key: CryptoKey; token: string },
    time: { timers: Timers; clock: Clock },
  ) {
    this.#record = record;
    this.#store = store;
    this.#report = report;
    this.#key = keys.key;
    this.#token = keys.token;
    this.#timers = time.timers;
    this.#clock = time.clock;
  }

  static async open(
    record: WorkspaceRecord,
    store: DocStore,
    report: (patch: StatusPatch) => void,
    time: { timers: Timers; clock: Clock } = { timers: realTimers, clock: realClock },
  ): Promise<Snapshots> {
    const keys = {
      key: await snapshotKey(record.teamSecret),
      token: await readToken(record.teamSecret),
    };
    const snapshots = new Snapshots(record, store, report, keys, time);
    // What the relay's snapshot already holds, as of this browser's last upload or restore.
    const known = await readMeta<Stored | undefined>(store.db, 'snapshot', undefined);
    if (known) {
      snapshots.#version = known.version;
      snapshots.#inSnapshot = { state: fromBase64Url(known.state), cursor: known.cursor };
      if (known.at !== undefined) {
        const { version, at, action = 'stored' } = known;
        snapshots.#tell({ lastSuccess: { version, at, action } });
      }
    }
    return snapshots;
  }

  /** The backup's status changed: the last success and the last failure, each kept. */
  #tell(patch: BackupStatus): void {
    this.#backup = { ...this.#backup, ...patch };
    this.#report({ backup: this.#backup });
  }

  #failed(err: unknown): void {
    this.#tell({ lastFailure: { at: this.#clock.now(), failure: toFailure(err) } });
  }

  /** What the relay holds now (asked afresh). */
  onRelay(): Promise<RelaySnapshot> {
    return snapshotOnRelay(this.#record.relayUrl, this.#record.id, this.#token);
  }

  /**
   * Loads the relay's snapshot: the doc at once; the facts now when this tab leads, else once
   * it does (`keep`). Undefined when the team has stored none yet.
   */
  async restore(): Promise<SnapshotContents | undefined> {
    let stored: Awaited<ReturnType<typeof downloadSnapshot>>;
    let contents: SnapshotContents;
    try {
      stored = await downloadSnapshot(this.#record.relayUrl, this.#record.id, this.#token);
      if (!stored) return undefined;
      contents = await decryptSnapshot(this.#key, this.#record.id, stored.bytes);
    } catch (err) {
      this.#failed(err);
      throw err;
    }
    await this.#store.adopt(contents.doc);
    this.#tell({
      lastSuccess: { version: stored.version, at: this.#clock.now(), action: 'loaded' },
    });
    const restored = { version: stored.version, contents, state: stateOf(contents.doc) };
    if (this.#facts) await this.#takeIn(this.#facts, restored);
    else this.#restored = restored;
    return contents;
  }

  async #takeIn(facts: SnapshotFacts, { version, contents, state }: Restored): Promise<void> {
    await facts.takeIn(contents.facts, contents.cursor);
    const { cursor } = await facts.read();
    await this.#matched(version, state, cursor, 'loaded');
  }

  /**
   * From now on this tab keeps the relay snapshot fresh (the leader tab only), having taken in
   * the facts of a snapshot it restored before.
   */
  async keep(facts: SnapshotFacts): Promise<void> {
    // Not before the restored facts are in (for 100,000 leads, seconds): an upload meanwhile
    // would extend no version, conflict, and fetch and take in the whole snapshot again.
    for (let restored = this.#restored; restored; restored = this.#restored) {
      this.#restored = undefined;
      await this.#takeIn(facts, restored);
    }
    this.#facts = facts;
    this.#schedule(0);
  }

  /** The doc or the facts changed. */
  changed(): void {
    if (this.#facts) this.#schedule(UPLOAD_AFTER_MS);
  }

  #schedule(delay: number): void {
    const now = this.#clock.now();
    if (this.#timer === undefined) this.#firstChangeAt = now;
    this.#timers.clearTimeout(this.#timer);
    // Debounced, but a steady stream of changes still uploads at least this often (lib0's
    // debouncer would do, but it reads the global clock; this one's time is passed in).
    const wait = Math.min(delay, Math.max(0, this.#firstChangeAt + UPLOAD_AT_LEAST_EVERY_MS - now));
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      void this.#upload();
    }, wait);
  }

  async #upload(): Promise<void> {
    const facts = this.#facts;
    if (!facts) return;
    if (this.#uploading) {
      this.#schedule(UPLOAD_AFTER_MS);
      return;
    }
    this.#uploading = true;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const state = Y.encodeStateVector(this.#store.doc);
        // Built from storage (the rows merged, the segments as stored), not the live doc.
        await this.#store.flush();
        const { cursor, segments } = await facts.read();
        const known = this.#inSnapshot;
        if (known && sameBytes(state, known.state) && cursor === known.cursor) return;
        const sealed = await encryptSnapshot(this.#key, this.#record.id, {
          cursor,
          doc: await this.#store.stored(),
          facts: segments,
        });
        try {
          const version = await uploadSnapshot(
            this.#record.relayUrl,
            this.#record.id,
            this.#token,
            sealed,
            this.#version,
            cursor,
          );
          await this.#matched(version, state, cursor, 'stored');
          this.#tell({ lastSuccess: { version, at: this.#clock.now(), action: 'stored' } });
          return;
        } catch (err) {
          // Someone stored a newer snapshot (or one covering more of the log than this one):
          // take in their work, then try again.
          if (err instanceof RelayError && err.status === 409) await this.restore();
          else throw err;
        }
      }
    } catch (err) {
      this.#failed(err);
      this.#schedule(UPLOAD_AT_LEAST_EVERY_MS);
    } finally {
      this.#uploading = false;
    }
  }

  /** Notes that the relay's snapshot `version` holds the doc up to `state`, facts to `cursor`. */
  async #matched(
    version: number,
    state: Uint8Array,
    cursor: number,
    action: 'stored' | 'loaded',
  ): Promise<void> {
    this.#version = version;
    this.#inSnapshot = { state, cursor };
    const at = this.#clock.now();
    const stored: Stored = { version, state: toBase64Url(state), cursor, at, action };
    await this.#store.db.meta.put({ key: 'snapshot', value: stored });
  }

  /**
   * The team secret changed: the relay's snapshot is under the old key, so whatever it holds,
   * the next leader stores one under the new key (the version it extends stays known).
   */
  async secretChanged(): Promise<void> {
    this.#inSnapshot = undefined;
    const known = await readMeta<Stored | undefined>(this.#store.db, 'snapshot', undefined);
    if (known) await this.#store.db.meta.put({ key: 'snapshot', value: { ...known, state: '' } });
  }

  destroy(): void {
    this.#timers.clearTimeout(this.#timer);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * The doc's state a snapshot holds: not the doc's after taking it in, which also holds edits
 * the snapshot lacks (the very ones whose upload conflicted) — they would never be uploaded.
 */
function stateOf(updates: readonly Uint8Array[]): Uint8Array {
  const state = new Map<number, number>();
  for (const update of updates) {
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))) {
      state.set(client, Math.max(clock, state.get(client) ?? 0));
    }
  }
  return Y.encodeStateVector(state);
}
