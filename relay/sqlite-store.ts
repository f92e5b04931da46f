/**
 * The embedded store (see store.ts): one SQLite file (better-sqlite3) in WAL mode with
 * synchronous=FULL, so a transaction that has returned is on disk and survives `kill -9`
 * (and a power cut). Every intake write goes through `commit()`, one transaction per group
 * commit. One relay process: it tells its own listeners of what it writes.
 *
 * Its tables, and how an older relay.db is brought up to them: sqlite-schema.ts.
 */
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous: the
   methods are async only to meet the Store interface, which the Redis store needs. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IntakeItem, LogEntry } from '../src/core/relay-protocol.ts';
import { migrate } from './sqlite-schema.ts';
import { prepare } from './sqlite-statements.ts';
import {
  eventBytes,
  KEEP_TRIMMED_IDS_MS,
  logName,
  pageOf,
  StoreFull,
  TRIM_CHUNK,
  type EntriesListener,
  type LogPageResult,
  type MailResult,
  type PendingWrite,
  type Quota,
  type RegisterResult,
  type SnapshotResult,
  type Store,
  type WorkspaceRow,
  type WriteResult,
} from './store.ts';

class QuotaExceeded extends Error {}

export class SqliteStore implements Store {
  readonly shared = false;
  readonly #db: Database.Database;
  readonly #quota: Quota;
  readonly #stmt: ReturnType<typeof prepare>;
  readonly #commitAll: (writes: PendingWrite[], now: number) => WriteResult[];
  readonly #listeners: EntriesListener[] = [];
  readonly #rotated: ((wid: number) => void)[] = [];
  /** The logs followed here, with the last seq told of each. */
  readonly #watched = new Map<string, number>();

  constructor(dataDir: string, quota: Quota) {
    mkdirSync(dataDir, { recursive: true });
    this.#quota = quota;
    const db = new Database(join(dataDir, 'relay.db'));
    this.#db = db;
    // One relay per data directory: set before anything is read, exclusive locking mode makes
    // SQLite lock the file for as long as this process lives (the OS releases the lock even
    // after kill -9) and keeps the WAL index in process memory. A second relay on the same
    // directory waits a moment (the previous one may be exiting) and then refuses to start.
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('busy_timeout = 2000');
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (got ${String(mode)})`);
      // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power
      // loss, not only a killed process.
      db.pragma('synchronous = FULL');
      // Take the write lock now; in exclusive mode it is kept until the process exits.
      db.exec('BEGIN EXCLUSIVE; COMMIT');
      migrate(db);
    } catch (err) {
      db.close();
      if ((err as { code?: unknown }).code === 'SQLITE_BUSY') {
        throw new Error(`${dataDir} is in use by another relay process`);
      }
      throw err;
    }

    this.#stmt = prepare(db);

    // One request = one savepoint inside the group's transaction: a request over quota rolls
    // back alone, the others in the same group still commit.
    const writeOne = db.transaction((write: PendingWrite, now: number): WriteResult => {
      const entries: LogEntry[] = [];
      let bytes = 0;
      for (const item of write.events) {
        const run = this.#stmt.insertEvent.run(write.wid, item.id, item.sealed, now);
        if (run.changes === 1) {
          entries.push({
            seq: Number(run.lastInsertRowid),
            id: item.id,
            sealed: item.sealed,
            receivedAt: now,
          });
          bytes += eventBytes(item);
        }
      }
      if (entries.length > 0) {
        const totals = this.#stmt.bump.get(entries.length, bytes, write.wid);
        if (!totals) return { ok: false, error: 'unknown_workspace' };
        if (totals.events > this.#quota.events || totals.bytes > this.#quota.bytes) {
          throw new QuotaExceeded();
        }
      }
      return {
        ok: true,
        accepted: entries.length,
        duplicates: write.events.length - entries.length,
        entries,
      };
    });
    this.#commitAll = db.transaction((writes: PendingWrite[], now: number) =>
      writes.map((write): WriteResult => {
        try {
          return writeOne(write, now);
        } catch (err) {
          if (err instanceof QuotaExceeded) return { ok: false, error: 'quota_exceeded' };
          throw err;
        }
      }),
    );
  }

  async workspace(id: string): Promise<WorkspaceRow | undefined> {
    return this.#stmt.workspace.get(id);
  }

  async register(id: string, readTokenHash: string, now = Date.now()): Promise<RegisterResult> {
    if (this.#stmt.insertWorkspace.run(id, readTokenHash, now).changes === 1) return 'created';
    return this.#stmt.workspace.get(id)?.readTokenHash === readTokenHash ? 'exists' : 'conflict';
  }

  /** One transaction for the group; resolves once it is on disk. */
  async commit(writes: PendingWrite[], now = Date.now()): Promise<WriteResult[]> {
    let results: WriteResult[];
    try {
      results = this.#commitAll(writes, now);
    } catch (err) {
      throw (err as { code?: unknown }).code === 'SQLITE_FULL'
        ? new StoreFull('the relay is out of disk space')
        : err;
    }
    writes.forEach((write, i) => {
      const result = results[i];
      if (result?.ok && result.entries.length > 0) this.#tell(logName(write.wid), result.entries);
    });
    return results;
  }

  #tell(log: string, entries: LogEntry[]): void {
    const last = entries[entries.length - 1];
    if (last && this.#watched.has(log)) this.#watched.set(log, last.seq);
    for (const listener of this.#listeners) listener(log, entries);
  }

  async readLog(
    wid: number,
    after: number,
    limit: number,
    maxBytes: number,
  ): Promise<LogPageResult> {
    // Behind the trim point the log has gaps: the reader must load the snapshot first.
    const trimmedThrough = this.#stmt.trimmedThrough.get(wid)?.through ?? 0;
    if (after < trimmedThrough) return { trimmedThrough };
    return pageOf(this.#stmt.log.iterate(wid, after, limit + 1), limit, maxBytes);
  }

  async readWidgetSettings(wid: number): Promise<string | undefined> {
    return this.#stmt.widgetSettings.get(wid)?.body;
  }

  async writeWidgetSettings(wid: number, body: string, now = Date.now()): Promise<void> {
    this.#stmt.putWidgetSettings.run(wid, body, now);
  }

  async readSnapshot(wid: number): Promise<{ version: number; data: Buffer } | undefined> {
    return this.#stmt.snapshot.get(wid);
  }

  async writeSnapshot(
    wid: number,
    data: Buffer,
    ifMatch: number | undefined,
    covers = 0,
    now = Date.now(),
  ): Promise<SnapshotResult> {
    return this.#db.transaction(() => {
      const current = this.#stmt.snapshotVersion.get(wid)?.version ?? 0;
      if (ifMatch !== undefined && ifMatch !== current) return { ok: false as const, current };
      // The log is trimmed up to what the stored snapshot covers: one that covers less would
      // leave a member behind with entries nobody can give them.
      const trimmedThrough = this.#stmt.trimmedThrough.get(wid)?.through ?? 0;
      if (covers < trimmedThrough) return { ok: false as const, trimmedThrough };
      this.#stmt.putSnapshot.run(wid, current + 1, data, now, covers);
      return { ok: true as const, version: current + 1 };
    })();
  }

  async rotate(
    workspace: WorkspaceRow,
    to: { epoch: number; tokenHash: string; chain: string },
    now = Date.now(),
  ): Promise<boolean> {
    const rotated = this.#db.transaction(() => {
      const { wid, epoch, readTokenHash } = workspace;
      if (this.#stmt.rotate.run(to.tokenHash, to.epoch, wid, epoch).changes !== 1) return false;
      this.#stmt.insertRotation.run(wid, to.epoch, readTokenHash, to.chain, now);
      return true;
    })();
    if (rotated) for (const listener of this.#rotated) listener(workspace.wid);
    return rotated;
  }

  async rotationFor(
    wid: number,
    tokenHash: string,
  ): Promise<{ epoch: number; chain: string } | undefined> {
    return this.#stmt.rotationFor.get(wid, tokenHash);
  }

  async trimmable(): Promise<number[]> {
    return this.#stmt.trimmable.all().map((r) => r.wid);
  }

  /** One transaction; ids kept long enough go too. */
  async trimStep(wid: number, now = Date.now()): Promise<boolean> {
    return this.#db.transaction(() => {
      const row = this.#stmt.trimTarget.get(wid);
      const forgotten = this.#stmt.forgetTrimmed.run(
        wid,
        row?.through ?? 0,
        now - KEEP_TRIMMED_IDS_MS,
        TRIM_CHUNK,
      ).changes;
      if (!row || row.target <= row.through) return forgotten === TRIM_CHUNK;
      const upTo = Math.min(row.target, row.through + TRIM_CHUNK);
      const sums = this.#stmt.trimSums.get(wid, row.through, upTo) ?? { n: 0, bytes: 0 };
      this.#stmt.trim.run(wid, row.through, upTo);
      this.#stmt.trimmed.run(upTo, sums.n, sums.bytes, wid);
      return upTo < row.target || forgotten === TRIM_CHUNK;
    })();
  }

  async writeMail(
    wid: number,
    mailbox: string,
    item: IntakeItem,
    max: number,
    now = Date.now(),
  ): Promise<MailResult> {
    const result = this.#db.transaction((): MailResult => {
      if ((this.#stmt.mailCount.get(wid, mailbox)?.n ?? 0) >= max) return { ok: false as const };
      const run = this.#stmt.insertMail.run(wid, mailbox, item.id, item.sealed, now);
      if (run.changes !== 1) return { ok: true as const, entry: undefined };
      const entry: LogEntry = {
        seq: Number(run.lastInsertRowid),
        id: item.id,
        sealed: item.sealed,
        receivedAt: now,
      };
      return { ok: true as const, entry };
    })();
    if (result.ok && result.entry) this.#tell(logName(wid, mailbox), [result.entry]);
    return result;
  }

  async readMail(
    wid: number,
    mailbox: string,
    after: number,
    limit: number,
  ): Promise<{ entries: LogEntry[]; more: boolean }> {
    const rows = this.#stmt.mail.all(wid, mailbox, after, limit + 1);
    return { entries: rows.slice(0, limit), more: rows.length > limit };
  }

  async counts(): Promise<{ workspaces: number; events: number; eventBytes: number }> {
    return this.#stmt.counts.get() ?? { workspaces: 0, events: 0, eventBytes: 0 };
  }

  watch(log: string, from: number): number {
    const told = this.#watched.get(log);
    if (told !== undefined) return told;
    this.#watched.set(log, from);
    return from;
  }

  unwatch(log: string): void {
    this.#watched.delete(log);
  }

  onEntries(listener: EntriesListener): void {
    this.#listeners.push(listener);
  }

  async following(wid: number): Promise<boolean> {
    return this.#watched.has(logName(wid));
  }

  onRotated(listener: (wid: number) => void): void {
    this.#rotated.push(listener);
  }

  // One process: no other node to pass signaling to or hear from.
  publishSignal(): void {}
  onSignal(): void {}

  async close(): Promise<void> {
    if (!this.#db.open) return;
    // Fold the WAL back into the main file so a clean shutdown leaves one file.
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.#db.close();
    }
  }
}
