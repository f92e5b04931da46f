/**
 * The embedded store's schema, and the steps that bring an older relay.db up to it: step n
 * makes version n + 1, each in a transaction of its own, so a relay stopped midway resumes.
 *
 * Tables (PRAGMA user_version = 6):
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
import type Database from 'better-sqlite3';

const STEPS: readonly string[] = [
  // v1: workspaces and their intake log.
  `
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
  `,
  // v2: the team's encrypted snapshot, one per workspace (the latest).
  `
    CREATE TABLE snapshots (
      wid INTEGER PRIMARY KEY REFERENCES workspaces (wid),
      version INTEGER NOT NULL,
      data BLOB NOT NULL,
      stored_at INTEGER NOT NULL
    );
  `,
  // v3: visitors' mailboxes.
  `
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
  `,
  // v4: published widget settings.
  `
    CREATE TABLE widget_settings (
      wid INTEGER PRIMARY KEY REFERENCES workspaces (wid),
      body TEXT NOT NULL,
      stored_at INTEGER NOT NULL
    );
  `,
  // v5: the log trimmed once the snapshot covers it.
  `
    ALTER TABLE workspaces ADD COLUMN trimmed_through INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE snapshots ADD COLUMN covers INTEGER NOT NULL DEFAULT 0;
  `,
  // v6: the team secret changed when a member is removed.
  `
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
  `,
];

const SCHEMA_VERSION = STEPS.length;

/** Brings the database up to this relay's schema; refuses one from a newer relay. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`relay.db has schema ${version}, newer than this relay (${SCHEMA_VERSION})`);
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.exec(`BEGIN;${STEPS[v] ?? ''}PRAGMA user_version = ${String(v + 1)};\nCOMMIT;`);
  }
}
