/** The embedded store's SQL statements (see sqlite-store.ts for the schema), prepared once. */
import type Database from 'better-sqlite3';
import type { LogEntry } from '../src/core/relay-protocol.ts';
import type { WorkspaceRow } from './store.ts';

export function prepare(db: Database.Database) {
  return {
    workspace: db.prepare<[string], WorkspaceRow>(
      `SELECT wid, id, read_token_hash AS readTokenHash, events, bytes,
              trimmed_through AS trimmedThrough, epoch
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
    putSnapshot: db.prepare<[number, number, Buffer, number, number]>(
      `INSERT INTO snapshots (wid, version, data, stored_at, covers) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (wid) DO UPDATE
         SET version = excluded.version, data = excluded.data, stored_at = excluded.stored_at,
             covers = excluded.covers`,
    ),
    rotate: db.prepare<[string, number, number, number]>(
      `UPDATE workspaces SET read_token_hash = ?, epoch = ? WHERE wid = ? AND epoch = ?`,
    ),
    insertRotation: db.prepare<[number, number, string, string, number]>(
      `INSERT INTO rotations (wid, epoch, old_token_hash, chain, rotated_at) VALUES (?, ?, ?, ?, ?)`,
    ),
    rotationFor: db.prepare<[number, string], { epoch: number; chain: string }>(
      `SELECT epoch, chain FROM rotations WHERE wid = ? AND old_token_hash = ?`,
    ),
    trimmedThrough: db.prepare<[number], { through: number }>(
      `SELECT trimmed_through AS through FROM workspaces WHERE wid = ?`,
    ),
    /** How far the log may be trimmed: the snapshot's cover, but no entry not yet in the log. */
    trimTarget: db.prepare<[number], { wid: number; through: number; target: number }>(
      `SELECT w.wid, w.trimmed_through AS through,
              min(s.covers, coalesce((SELECT max(seq) FROM events e WHERE e.wid = w.wid), 0))
                AS target
         FROM workspaces w JOIN snapshots s ON s.wid = w.wid
        WHERE w.wid = ?`,
    ),
    trimmable: db.prepare<[], { wid: number }>(
      `SELECT w.wid FROM workspaces w JOIN snapshots s ON s.wid = w.wid
        WHERE s.covers > w.trimmed_through`,
    ),
    trimSums: db.prepare<[number, number, number], { n: number; bytes: number }>(
      `SELECT count(*) AS n, coalesce(sum(length(event_id) + length(sealed)), 0) AS bytes
         FROM events WHERE wid = ? AND seq > ? AND seq <= ? AND sealed != ''`,
    ),
    trim: db.prepare<[number, number, number]>(
      `UPDATE events SET sealed = '' WHERE wid = ? AND seq > ? AND seq <= ?`,
    ),
    trimmed: db.prepare<[number, number, number, number]>(
      `UPDATE workspaces SET trimmed_through = ?, events = events - ?, bytes = bytes - ?
        WHERE wid = ?`,
    ),
    forgetTrimmed: db.prepare<[number, number, number, number]>(
      `DELETE FROM events WHERE seq IN (
         SELECT seq FROM events WHERE wid = ? AND seq <= ? AND received_at < ? LIMIT ?)`,
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
    counts: db.prepare<[], { workspaces: number; events: number; eventBytes: number }>(
      `SELECT (SELECT count(*) FROM workspaces) AS workspaces,
              (SELECT coalesce(sum(events), 0) FROM workspaces) AS events,
              (SELECT coalesce(sum(bytes), 0) FROM workspaces) AS eventBytes`,
    ),
  };
}
