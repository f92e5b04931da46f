/**
 * The encrypted snapshot of the team doc on the relay, which lets a member load the workspace
 * with no teammate online. Every leader tab keeps it fresh: a few seconds after changes, and at
 * least every 30 s while they keep coming, only when the doc has moved on from the stored one.
 * Uploads say which version they extend (If-Match); on a conflict the newer snapshot is merged
 * in first, so no member's upload can erase another's work.
 */
import * as Y from 'yjs';
import { fromBase64Url, toBase64Url } from '../core/bytes.ts';
import { downloadSnapshot, RelayError, uploadSnapshot } from '../core/relay-client.ts';
import { decryptSnapshot, encryptSnapshot } from '../core/snapshot.ts';
import { readToken, snapshotKey } from '../core/team-keys.ts';
import { readMeta, type WorkspaceRecord } from '../data/db.ts';
import type { DocStore } from './doc-store.ts';
import type { StatusPatch } from './status.ts';

const UPLOAD_AFTER_MS = 2_000;
const UPLOAD_AT_LEAST_EVERY_MS = 30_000;

export class Snapshots {
  readonly #record: WorkspaceRecord;
  readonly #store: DocStore;
  readonly #report: (patch: StatusPatch) => void;
  readonly #key: CryptoKey;
  readonly #token: string;
  /** Snapshot version this doc already contains (what an upload extends). */
  #version = 0;
  /** The doc's state vector when it last matched the relay's snapshot. */
  #inSnapshot: Uint8Array | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #firstChangeAt = 0;
  #uploading = false;
  #keeper = false;

  private constructor(
    record: WorkspaceRecord,
    store: DocStore,
    report: (patch: StatusPatch) => void,
    key: CryptoKey,
    token: string,
  ) {
    this.#record = record;
    this.#store = store;
    this.#report = report;
    this.#key = key;
    this.#token = token;
  }

  static async open(
    record: WorkspaceRecord,
    store: DocStore,
    report: (patch: StatusPatch) => void,
  ): Promise<Snapshots> {
    const snapshots = new Snapshots(
      record,
      store,
      report,
      await snapshotKey(record.teamSecret),
      await readToken(record.teamSecret),
    );
    // What the relay's snapshot already holds, as of this browser's last upload or restore.
    const known = await readMeta<{ version: number; state: string } | undefined>(
      store.db,
      'snapshot',
      undefined,
    );
    if (known) {
      snapshots.#version = known.version;
      snapshots.#inSnapshot = fromBase64Url(known.state);
    }
    return snapshots;
  }

  /** Loads the relay's snapshot into the doc; false when the team has stored none yet. */
  async restore(): Promise<boolean> {
    const stored = await downloadSnapshot(this.#record.relayUrl, this.#record.id, this.#token);
    if (!stored) return false;
    const update = await decryptSnapshot(this.#key, this.#record.id, stored.bytes);
    await this.#store.adopt(update);
    await this.#matched(stored.version, Y.encodeStateVector(this.#store.doc));
    this.#report({ backup: { version: stored.version, at: Date.now() } });
    return true;
  }

  /** From now on this tab keeps the relay snapshot fresh (the leader tab only). */
  keep(): void {
    this.#keeper = true;
    this.#schedule(0);
  }

  /** The doc changed. */
  changed(): void {
    if (this.#keeper) this.#schedule(UPLOAD_AFTER_MS);
  }

  #schedule(delay: number): void {
    const now = Date.now();
    if (this.#timer === undefined) this.#firstChangeAt = now;
    clearTimeout(this.#timer);
    // Debounced, but a steady stream of changes still uploads at least this often.
    const wait = Math.min(delay, Math.max(0, this.#firstChangeAt + UPLOAD_AT_LEAST_EVERY_MS - now));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#upload();
    }, wait);
  }

  async #upload(): Promise<void> {
    if (this.#uploading) {
      this.#schedule(UPLOAD_AFTER_MS);
      return;
    }
    this.#uploading = true;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const state = Y.encodeStateVector(this.#store.doc);
        if (this.#inSnapshot && sameBytes(state, this.#inSnapshot)) return;
        // Built from storage (the rows merged), not by re-encoding the live doc.
        await this.#store.flush();
        const sealed = await encryptSnapshot(
          this.#key,
          this.#record.id,
          await this.#store.stored(),
        );
        try {
          const version = await uploadSnapshot(
            this.#record.relayUrl,
            this.#record.id,
            this.#token,
            sealed,
            this.#version,
          );
          await this.#matched(version, state);
          this.#report({ backup: { version, at: Date.now() }, backupError: '' });
          return;
        } catch (err) {
          // Someone stored a newer snapshot: take in their work, then try again.
          if (err instanceof RelayError && err.status === 409) await this.restore();
          else throw err;
        }
      }
    } catch (err) {
      this.#report({ backupError: err instanceof Error ? err.message : String(err) });
      this.#schedule(UPLOAD_AT_LEAST_EVERY_MS);
    } finally {
      this.#uploading = false;
    }
  }

  /** Notes that the relay's snapshot `version` holds the doc up to `state`. */
  async #matched(version: number, state: Uint8Array): Promise<void> {
    this.#version = version;
    this.#inSnapshot = state;
    await this.#store.db.meta.put({
      key: 'snapshot',
      value: { version, state: toBase64Url(state) },
    });
  }

  destroy(): void {
    clearTimeout(this.#timer);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
