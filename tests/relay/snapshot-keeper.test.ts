/**
 * The team's side of the snapshot, against a real relay: a member who restored the team's
 * snapshot on joining uploads nothing while its facts are being taken in (an upload then would
 * extend no version, conflict, and fetch and take in the whole snapshot again), and once they
 * are in, extends the version it restored with its own edits.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decryptSnapshot, encryptSnapshot } from '../../src/core/snapshot.ts';
import { assignLead, assignments } from '../../src/core/team-doc.ts';
import { newTeamSecret, readToken, snapshotKey } from '../../src/core/team-keys.ts';
import { WorkspaceDb, type WorkspaceRecord } from '../../src/data/db.ts';
import { DocStore } from '../../src/team/doc-store.ts';
import { downloadSnapshot, uploadSnapshot } from '../../src/team/relay-client.ts';
import { Snapshots, type SnapshotFacts } from '../../src/team/snapshots.ts';
import { randomId, register, relayForFile } from './helpers.ts';
import { manualTimers } from '../manual-timers.ts';

const relay = await relayForFile();

/** A registered workspace holding the team's first snapshot (version 1), and a member's parts. */
async function joined(team: Y.Doc) {
  const workspace = randomId('ws');
  const teamSecret = newTeamSecret();
  const token = await readToken(teamSecret);
  expect((await register(relay.url, workspace, token)).status).toBe(201);
  const key = await snapshotKey(teamSecret);
  const upload = async (doc: Y.Doc, extends_: number): Promise<number> => {
    const sealed = await encryptSnapshot(key, workspace, {
      cursor: 0,
      doc: [Y.encodeStateAsUpdate(doc)],
      facts: [],
    });
    return uploadSnapshot(relay.url, workspace, token, sealed, extends_, 0);
  };
  expect(await upload(team, 0)).toBe(1);
  const record: WorkspaceRecord = {
    id: workspace,
    name: 'Test',
    teamSecret,
    relayUrl: relay.url,
    memberId: 'member2',
    memberName: 'Ada',
    signingKey: {} as CryptoKeyPair,
    signingPublicKey: {},
    intakePublicKey: '',
    createdAt: 0,
    registered: true,
  };
  const db = new WorkspaceDb(randomId('db'));
  const store = await DocStore.open(db);
  const timers = manualTimers();
  const snapshots = await Snapshots.open(record, store, () => {}, {
    timers,
    clock: { now: () => Date.now() },
  });
  /** The relay's snapshot: its version and the assignments it holds. */
  const onRelay = async (): Promise<{ version: number; assigned: unknown }> => {
    const stored = await downloadSnapshot(relay.url, workspace, token);
    if (!stored) throw new Error('no snapshot');
    const contents = await decryptSnapshot(key, workspace, stored.bytes);
    const doc = new Y.Doc();
    for (const update of contents.doc) Y.applyUpdate(doc, update);
    return { version: stored.version, assigned: assignments(doc).toJSON() };
  };
  const close = (): void => {
    store.destroy();
    db.close();
  };
  return { store, snapshots, timers, upload, onRelay, close };
}

const NO_FACTS: SnapshotFacts = {
  read: () => Promise.resolve({ cursor: 0, segments: [] }),
  takeIn: () => Promise.resolve(),
};

describe('a member keeping the team snapshot', () => {
  it('uploads nothing while the restored facts go in, then extends the restored version', async () => {
    const team = new Y.Doc();
    assignLead(team, 'visitor1', 'grace');
    const { store, snapshots, timers, onRelay, close } = await joined(team);
    await snapshots.restore();
    expect(assignments(store.doc).get('visitor1')?.to).toBe('grace');

    let takenIn = 0;
    let factsIn = (): void => {};
    const facts: SnapshotFacts = {
      read: () => Promise.resolve({ cursor: 0, segments: [] }),
      takeIn: () => {
        takenIn++;
        return new Promise<void>((resolve) => (factsIn = resolve));
      },
    };
    const keeping = snapshots.keep(facts);
    // The member assigns a lead while the facts are still going in: no upload is due yet.
    assignLead(store.doc, 'visitor2', 'ada');
    snapshots.changed();
    expect(timers.pending()).toBe(0);
    factsIn();
    await keeping;

    timers.run();
    await expect.poll(async () => (await onRelay()).version, { timeout: 10_000 }).toBe(2);
    expect(takenIn).toBe(1);
    expect((await onRelay()).assigned).toEqual({
      visitor1: { to: 'grace' },
      visitor2: { to: 'ada' },
    });
    close();
  });

  it('after a conflicting upload, takes in the newer snapshot and uploads its own edits on it', async () => {
    const team = new Y.Doc();
    assignLead(team, 'visitor1', 'grace');
    const { store, snapshots, timers, upload, onRelay, close } = await joined(team);
    await snapshots.restore();
    await snapshots.keep(NO_FACTS);
    timers.run();
    // A teammate stores a newer snapshot meanwhile.
    assignLead(team, 'visitor3', 'grace');
    expect(await upload(team, 1)).toBe(2);
    // This member's edit goes up on version 1: refused, merged, and stored on version 2.
    assignLead(store.doc, 'visitor2', 'ada');
    snapshots.changed();
    timers.run();
    await expect.poll(async () => (await onRelay()).version, { timeout: 10_000 }).toBe(3);
    expect((await onRelay()).assigned).toEqual({
      visitor1: { to: 'grace' },
      visitor2: { to: 'ada' },
      visitor3: { to: 'grace' },
    });
    close();
  });
});
