/**
 * The relay's durable store: one SQLite file (better-sqlite3) in WAL mode with
 * synchronous=FULL, so a transaction that has returned is on disk and survives `kill -9`
 * (and a power cut). Every write goes through `commit()`, one transaction per group commit.
 *
 * Schema (PRAGMA user_version = 4):
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
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IntakeItem, LogEntry } from '../src/core/relay-protocol.ts';

export interface WorkspaceRow {
  wid: number;
  id: string;
  readTokenHash: string;
  events: number;
  bytes: number;
}

/** One intake request waiting for the group commit. */
export interface PendingWrite {
  wid: number;
  events: IntakeItem[];
}

export type WriteResult =
  | { ok: true; accepted: number; duplicates: number; entries: LogEntry[] }
  | { ok: false; error: 'quota_exceeded' | 'unknown_workspace' };

export interface Quota {
  events: number;
  bytes: number;
}

export type RegisterResult = 'created' | 'exists' | 'conflict';

class QuotaExceeded extends Error {}

const SCHEMA_VERSION = 4;

/** Bytes an event counts for against the quota. */
export function eventBytes(item: IntakeItem): number {
  return item.id.length + item.sealed.length;
}

function prepare(db: Database.Database) {
  return {
    workspace: db.prepare<[string], WorkspaceRow>(
      `SELECT wid, id, read_token_hash AS readTokenHash, events, bytes
         FROM workspaces WHERE id = ?`,
    ),
    insertWorkspace: db.prepare<[string, string, number]>(
      `INSERT INTO workspaces (id, read_token_hash, created_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    insertEvent: db.prepare<[number, string, string, number]>(
      `INSERT OR IGNORE INTO events (wid, event_id, sealed, received_at) VALUES (?, ?, ?, ?)`,
    ),
    bump: db.prepare<[number, number, number], { events: number; bytes: number }>(
      `UPDATE workspaces SET events = events + ?, bytes = bytes + ? WHERE wid = ?
       RETURNING events, bytes`,
    ),
    log: db.prepare<[number, number, number], LogEntry>(
      `SELECT seq, event_id AS id, sealed, received_at AS receivedAt FROM events
        WHERE wid = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    snapshot: db.prepare<[number], { version: number; data: Buffer }>(
      `SELECT version, data FROM snapshots WHERE wid = ?`,
    ),
    snapshotVersion: db.prepare<[number], { version: number }>(
      `SELECT version FROM snapshots WHERE wid = ?`,
    ),
    putSnapshot: db.prepare<[number, number, Buffer, number]>(
      `INSERT INTO snapshots (wid, version, data, stored_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (wid) DO UPDATE
         SET version = excluded.version, data = excluded.data, stored_at = excluded.stored_at`,
    ),
    insertMail: db.prepare<[number, string, string, string, number]>(
      `INSERT OR IGNORE INTO mail (wid, mailbox, event_id, sealed, received_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    mailCount: db.prepare<[number, string], { n: number }>(
      `SELECT count(*) AS n FROM mail WHERE wid = ? AND mailbox = ?`,
    ),
    mail: db.prepare<[number, string, number, number], LogEntry>(
      `SELECT seq, event_id AS id, sealed, received_at AS receivedAt FROM mail
        WHERE wid = ? AND mailbox = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    widgetSettings: db.prepare<[number], { body: string }>(
      `SELECT body FROM widget_settings WHERE wid = ?`,
    ),
    putWidgetSettings: db.prepare<[number, string, number]>(
      `INSERT INTO widget_settings (wid, body, stored_at) VALUES (?, ?, ?)
       ON CONFLICT (wid) DO UPDATE SET body = excluded.body, stored_at = excluded.stored_at`,
    ),
    counts: db.prepare<[], { workspaces: number; events: number }>(
      `SELECT (SELECT count(*) FROM workspaces) AS workspaces,
              (SELECT coalesce(sum(events), 0) FROM workspaces) AS events`,
    ),
  };
}

export class Store {
  readonly #db: Database.Database;
  readonly #quota: Quota;
  readonly #stmt: ReturnType<typeof prepare>;
  readonly #commitAll: (writes: PendingWrite[], now: number) => WriteResult[];

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

  workspace(id: string): WorkspaceRow | undefined {
    return this.#stmt.workspace.get(id);
  }

  register(id: string, readTokenHash: string, now = Date.now()): RegisterResult {
    if (this.#stmt.insertWorkspace.run(id, readTokenHash, now).changes === 1) return 'created';
    return this.workspace(id)?.readTokenHash === readTokenHash ? 'exists' : 'conflict';
  }

  /** Writes a group of intake requests in one transaction; returns once it is on disk. */
  commit(writes: PendingWrite[], now = Date.now()): WriteResult[] {
    return this.#commitAll(writes, now);
  }

  /**
   * Log entries of a workspace after `after`, ascending: at most `limit` entries and about
   * `maxBytes` of sealed data (always at least one entry, so a reader never gets stuck).
   */
  readLog(
    wid: number,
    after: number,
    limit: number,
    maxBytes: number,
  ): { entries: LogEntry[]; more: boolean } {
    const entries: LogEntry[] = [];
    let bytes = 0;
    let more = false;
    for (const row of this.#stmt.log.iterate(wid, after, limit + 1)) {
      if (entries.length >= limit || (entries.length > 0 && bytes + row.sealed.length > maxBytes)) {
        more = true;
        break;
      }
      entries.push(row);
      bytes += row.sealed.length + row.id.length;
    }
    return { entries, more };
  }

  /** The workspace's published widget settings (JSON text), if any. */
  readWidgetSettings(wid: number): string | undefined {
    return this.#stmt.widgetSettings.get(wid)?.body;
  }

  /** Replaces the workspace's published widget settings, durably. */
  writeWidgetSettings(wid: number, body: string, now = Date.now()): void {
    this.#stmt.putWidgetSettings.run(wid, body, now);
  }

  /** The workspace's latest snapshot (opaque bytes), if any. */
  readSnapshot(wid: number): { version: number; data: Buffer } | undefined {
    return this.#stmt.snapshot.get(wid);
  }

  /**
   * Replaces the workspace's snapshot, durably, unless `ifMatch` names another version than the
   * stored one (someone stored a newer one meanwhile). The old one stays readable until then.
   */
  writeSnapshot(
    wid: number,
    data: Buffer,
    ifMatch: number | undefined,
    now = Date.now(),
  ): { ok: true; version: number } | { ok: false; current: number } {
    return this.#db.transaction(() => {
      const current = this.#stmt.snapshotVersion.get(wid)?.version ?? 0;
      if (ifMatch !== undefined && ifMatch !== current) return { ok: false as const, current };
      this.#stmt.putSnapshot.run(wid, current + 1, data, now);
      return { ok: true as const, version: current + 1 };
    })();
  }

  /**
   * Stores a team reply in a visitor's mailbox, durably (one transaction). `full` when the
   * mailbox already holds `max` entries; `duplicate` when this id is already there.
   */
  writeMail(
    wid: number,
    mailbox: string,
    item: IntakeItem,
    max: number,
    now = Date.now(),
  ): { ok: true; entry: LogEntry | undefined } | { ok: false } {
    return this.#db.transaction(() => {
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
  }

  /** A mailbox's entries after `after`, ascending, as `readLog` pages them. */
  readMail(
    wid: number,
    mailbox: string,
    after: number,
    limit: number,
  ): { entries: LogEntry[]; more: boolean } {
    const rows = this.#stmt.mail.all(wid, mailbox, after, limit + 1);
    return { entries: rows.slice(0, limit), more: rows.length > limit };
  }

  counts(): { workspaces: number; events: number } {
    return this.#stmt.counts.get() ?? { workspaces: 0, events: 0 };
  }

  close(): void {
    if (!this.#db.open) return;
    // Fold the WAL back into the main file so a clean shutdown leaves one file.
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.#db.close();
    }
  }
}
