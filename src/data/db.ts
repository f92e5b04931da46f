/**
 * Local storage in IndexedDB (Dexie), shared by the app and its workers.
 * - `converge`: the workspaces this browser belongs to, with the member's own keys.
 * - `converge-ws-<id>`: one database per workspace: the persisted team doc (compacted update
 *   rows), the queryable lead projection the lists read, leads awaiting projection, and local
 *   meta (intake cursor, diagnostics counters).
 */
import Dexie, { type Table } from 'dexie';
import type { Channel } from '../core/attribution.ts';
import type { ListEntry } from '../core/lead-list.ts';
import type { Band } from '../core/scoring.ts';

export interface WorkspaceRecord {
  id: string;
  name: string;
  teamSecret: string;
  relayUrl: string;
  memberId: string;
  memberName: string;
  /** The member's signing key pair; the private half is non-extractable. */
  signingKey: CryptoKeyPair;
  signingPublicKey: JsonWebKey;
  intakePublicKey: string;
  createdAt: number;
  /** Set once the relay has accepted the workspace registration. */
  registered: boolean;
}

class LocalDb extends Dexie {
  workspaces!: Table<WorkspaceRecord, string>;

  constructor() {
    super('converge');
    this.version(1).stores({ workspaces: 'id' });
  }
}

export const localDb = new LocalDb();

export interface UpdateRow {
  seq?: number;
  update: Uint8Array;
}

/**
 * A lead as the lists show it: list fields only, so 100,000 rows load fast (the detail view
 * folds the rest from the doc). No score: it depends on the rules, and is computed from the
 * row's score facts with the rules in force. `rev` is when the row was last written: tabs that
 * did not write it catch up on rows above the last `rev` they saw.
 */
export interface LeadRow extends ListEntry {
  generatedName: string;
  channel: Channel;
  country?: string;
  rev: number;
}

/** A row with its score under the rules in force, as the lists and alerts show it. */
export interface ScoredRow extends LeadRow {
  score: number;
  band: Band;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class WorkspaceDb extends Dexie {
  updates!: Table<UpdateRow, number>;
  leads!: Table<LeadRow, string>;
  dirty!: Table<{ id: string }, string>;
  meta!: Table<MetaRow, string>;

  constructor(workspaceId: string) {
    super(`converge-ws-${workspaceId}`);
    this.version(1).stores({
      updates: '++seq',
      leads: 'id, lastActivity, score, stage',
      dirty: 'id',
      meta: 'key',
    });
    // Rows became list fields only, with assignee, tags and rev: rebuilt by the next full pass.
    this.version(3)
      .stores({ leads: 'id, lastActivity, score, stage, assignee, *tags, rev' })
      .upgrade(async (tx) => {
        await tx.table('leads').clear();
        await tx.table('meta').delete('builtWith');
      });
    // Rows hold score facts instead of a score: rebuilt by the next full pass.
    this.version(4)
      .stores({ leads: 'id, lastActivity, stage, assignee, *tags, rev' })
      .upgrade(async (tx) => {
        await tx.table('leads').clear();
        await tx.table('meta').delete('builtWith');
      });
  }
}

export async function readMeta<T>(db: WorkspaceDb, key: string, fallback: T): Promise<T> {
  const row = await db.meta.get(key);
  return row ? (row.value as T) : fallback;
}
