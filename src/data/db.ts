/**
 * Local storage in IndexedDB (Dexie), shared by the app and its workers.
 * - `converge`: the workspaces this browser belongs to, with the member's own keys.
 * - `converge-ws-<id>`: one database per workspace:
 *   - `facts`: what visitors did, as read from the relay's intake log — immutable, stored once,
 *     in segments (one per intake batch, compressed), which the relay snapshot carries as they
 *     are;
 *   - `leads`: each lead, folded from its visitor's facts with what teammates decided (the
 *     team worker writes it, one row per lead);
 *   - `updates`: the team doc, as compacted update rows; `dirty`: leads whose team facts changed
 *     and are not yet folded in;
 *   - `list`: the list worker's own copy of the list rows, in blocks, so the list shows at once
 *     after a reload;
 *   - `meta`: intake cursor, scoring rules, counters.
 */
import Dexie, { type Table } from 'dexie';
import type { Lead, LeadRow } from '../core/lead.ts';
import { databaseName } from '../core/names.ts';

export interface WorkspaceRecord {
  id: string;
  name: string;
  teamSecret: string;
  relayUrl: string;
  memberId: string;
  memberName: string;
  /** The member's signing key pair; the private half leaves the browser only in a backup file. */
  signingKey: CryptoKeyPair;
  signingPublicKey: JsonWebKey;
  /**
   * The member's own encryption key pair (see core/member-box.ts): a changed team secret comes
   * sealed to it. Browsers that joined before it existed make one on their next open.
   */
  boxKey?: CryptoKeyPair;
  /** The team secret's number (1 until a member is removed; see core/ledger.ts). */
  epoch?: number;
  intakePublicKey: string;
  createdAt: number;
  /** Set once the relay has accepted the workspace registration. */
  registered: boolean;
}

class LocalDb extends Dexie {
  workspaces!: Table<WorkspaceRecord, string>;

  constructor() {
    super(databaseName.local);
    this.version(1).stores({ workspaces: 'id' });
  }
}

export const localDb = new LocalDb();

export interface UpdateRow {
  seq?: number;
  update: Uint8Array;
}

/** A segment of the intake log as this browser keeps it: the events it held, compressed. */
export interface FactSegment {
  /** Seq of the last log entry the segment covers (its key: segments never overlap). */
  last: number;
  /** Seq of its first event. */
  first: number;
  count: number;
  /** gzip of the events' JSON (see core/facts.ts). */
  bytes: Uint8Array;
}

/** A block of the list worker's copy of the list: rows written, leads gone. */
export interface ListBlock {
  key?: number;
  rows: LeadRow[];
  gone: string[];
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export class WorkspaceDb extends Dexie {
  updates!: Table<UpdateRow, number>;
  facts!: Table<FactSegment, number>;
  leads!: Table<Lead, string>;
  dirty!: Table<{ id: string }, string>;
  list!: Table<ListBlock, number>;
  meta!: Table<MetaRow, string>;

  constructor(workspaceId: string) {
    super(databaseName.workspace(workspaceId));
    this.version(1).stores({
      updates: '++seq',
      leads: 'id, lastActivity, score, stage',
      dirty: 'id',
      meta: 'key',
    });
    this.version(3).stores({ leads: 'id, lastActivity, score, stage, assignee, *tags, rev' });
    this.version(4).stores({ leads: 'id, lastActivity, stage, assignee, *tags, rev' });
    // Visitors' facts left the team doc for their own table: leads are folded again from the
    // intake log, which is read again from its start.
    this.version(5)
      .stores({ leads: 'id, rev', facts: 'last', list: '++key' })
      .upgrade(async (tx) => {
        await tx.table('leads').clear();
        await tx.table('dirty').clear();
        await tx.table('meta').bulkDelete(['cursor', 'builtWith', 'snapshot', 'diagnostics']);
      });
    // List rows gained where each lead came from (the Overview's groups): every lead is marked
    // for projection, which folds its row again when a tab next leads, and the list worker's
    // copy is read again from the leads.
    this.version(6)
      .stores({})
      .upgrade(async (tx) => {
        const ids = await tx.table<Lead, string>('leads').toCollection().primaryKeys();
        await tx.table('dirty').bulkPut(ids.map((id) => ({ id })));
        await tx.table('list').clear();
        await tx.table('meta').delete('listHead');
      });
  }
}

export async function readMeta<T>(db: WorkspaceDb, key: string, fallback: T): Promise<T> {
  const row = await db.meta.get(key);
  return row ? (row.value as T) : fallback;
}
