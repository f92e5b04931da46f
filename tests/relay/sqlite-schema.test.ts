/** The embedded store's schema steps: a new database gets them all, once; a newer one is refused. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../relay/sqlite-schema.ts';

const tables = (db: Database.Database): string[] =>
  db
    .prepare<[], { name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    )
    .all()
    .map((row) => row.name);

describe('the embedded store schema', () => {
  it('brings a new database to the latest version, and a second run changes nothing', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    expect(tables(db)).toEqual([
      'events',
      'mail',
      'rotations',
      'snapshots',
      'widget_settings',
      'workspaces',
    ]);
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    db.close();
  });

  it('takes an older database the rest of the way, keeping its rows', () => {
    const db = new Database(':memory:');
    migrate(db);
    // As a version-4 relay left it: no trimming columns, no rotations.
    db.exec(`
      DROP TABLE rotations;
      ALTER TABLE workspaces DROP COLUMN epoch;
      ALTER TABLE workspaces DROP COLUMN trimmed_through;
      ALTER TABLE snapshots DROP COLUMN covers;
      PRAGMA user_version = 4;
    `);
    db.prepare(
      `INSERT INTO workspaces (id, read_token_hash, created_at) VALUES ('w1', 'h', 1)`,
    ).run();
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    expect(db.prepare(`SELECT id, epoch, trimmed_through AS t FROM workspaces`).all()).toEqual([
      { id: 'w1', epoch: 1, t: 0 },
    ]);
    db.close();
  });

  it('refuses a database from a newer relay', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 7');
    expect(() => {
      migrate(db);
    }).toThrow('relay.db has schema 7, newer than this relay (6)');
    db.close();
  });
});
