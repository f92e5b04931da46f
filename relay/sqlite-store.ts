/**
 * The embedded store (see store.ts): one SQLite file (better-sqlite3) in WAL mode with
 * synchronous=FULL, so a transaction that has returned is on disk and survives `kill -9`
 * (and a power cut). Every intake write goes through `commit()`, one transaction per group
 * commit. One relay process: it tells its own listeners of what it writes.
 *
 * Schema (PRAGMA user_version = 6):
 * - workspaces: one row per registered workspace, with the hash of its read token and running
 *   totals for quotas. `wid` is a compact integer key used by the other tables.
 * - events: the intake log of every workspace. `seq` (AUTOINCREMENT: never reused, even after a
 *   future retention delete) is the cursor readers resume from; (wid, event_id) is unique, which
 *   is what makes intake idempotent.
 * - snapshots (v2): each workspace's latest encrypted team snapshot.
 * - mail (v3): visitors' mailboxes, the team's sealed replies to each visitor. A mailbox is
 *   named by the hash of a capability only its visitor holds; (wid, mailbox, event_id) is
 *   unique, so a re-sent reply is stored once.
 * - widget_settings (v4): each workspace's published widget settings, the signed chain the
 *   widget verifies (the relay only stores it: it cannot forge it).
 * - v5: the log is trimmed once the team's snapshot covers it. `snapshots.covers` is the log
 *   seq the stored snapshot's uploader says it holds everything up to; `workspaces.
 *   trimmed_through` the seq up to which entries have lost their sealed box (never beyond the
 *   stored snapshot's `covers`). A trimmed entry keeps its id for a while, so that a widget
 *   re-sending an old event is still told "duplicate", then goes.
 * - v6: a member removed for good changes the team secret: `workspaces.epoch` is the secret's
 *   number, `read_token_hash` the new secret's; `rotations` keeps, for each change, the hash of
 *   the token it replaced and the signed chain that proved it, for members who were away.
 */
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous: the
   methods are async only to meet the Store interface, which the Redis store needs. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IntakeItem, LogEntry } from '../src/core/relay-protocol.ts';
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

const SCHEMA_VERSION = 6;

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
      this.#migrate();
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

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`relay.db has schema ${version}, newer than this relay (${SCHEMA_VERSION})`);
    }
    if (version === SCHEMA_VERSION) return;
    if (version === 0) this.#createV1();
    if (version < 2) this.#createV2();
    if (version < 3) this.#createV3();
    if (version < 4) {
      // v4: published widget settings.
      this.#db.exec(`
        BEGIN;
        CREATE TABLE widget_settings (
          wid INTEGER PRIMARY KEY REFERENCES workspaces (wid),
          body TEXT NOT NULL,
          stored_at INTEGER NOT NULL
        );
        PRAGMA user_version = 4;
        COMMIT;
      `);
    }
    if (version < 5) {
      // v5: the log trimmed once the snapshot covers it.
      this.#db.exec(`
        BEGIN;
        ALTER TABLE workspaces ADD COLUMN trimmed_through INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE snapshots ADD COLUMN covers INTEGER NOT NULL DEFAULT 0;
        PRAGMA user_version = 5;
        COMMIT;
      `);
    }
    // v6: the team secret changed when a member is removed.
    this.#db.exec(`
      BEGIN;
      ALTER TABLE workspaces ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1;
      CREATE TABLE rotations (
        wid INTEGER NOT NULL REFERENCES workspaces (wid),
        epoch INTEGER NOT NULL,
        old_token_hash TEXT NOT NULL,
        chain TEXT NOT NULL,
        rotated_at INTEGER NOT NULL,
        PRIMARY KEY (wid, epoch)
      );
      CREATE INDEX rotations_by_token ON rotations (wid, old_token_hash);
      PRAGMA user_version = 6;
      COMMIT;
    `);
  }

  #createV3(): void {
    // Visitors' mailboxes.
    this.#db.exec(`
      BEGIN;
      CREATE TABLE mail (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        wid INTEGER NOT NULL REFERENCES workspaces (wid),
        mailbox TEXT NOT NULL,
        event_id TEXT NOT NULL,
        sealed TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        UNIQUE (wid, mailbox, event_id)
      );
      CREATE INDEX mail_by_mailbox ON mail (wid, mailbox, seq);
      PRAGMA user_version = 3;
      COMMIT;
    `);
  }

  #createV2(): void {
    // The team's encrypted snapshot, one per workspace (the latest).
    this.#db.exec(`
      BEGIN;
      CREATE TABLE snapshots (
        wid INTEGER PRIMARY KEY REFERENCES workspaces (wid),
        version INTEGER NOT NULL,
        data BLOB NOT NULL,
        stored_at INTEGER NOT NULL
      );
      PRAGMA user_version = 2;
      COMMIT;
    `);
  }

  #createV1(): void {
    this.#db.exec(`
      BEGIN;
      CREATE TABLE workspaces (
        wid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        read_token_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        events INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        wid INTEGER NOT NULL REFERENCES workspaces (wid),
        event_id TEXT NOT NULL,
        sealed TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        UNIQUE (wid, event_id)
      );
      CREATE INDEX events_by_workspace ON events (wid, seq);
      PRAGMA user_version = 1;
      COMMIT;
    `);
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
