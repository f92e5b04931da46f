/**
 * The team worker's parts in real Chromium: IndexedDB through Dexie, the team doc's
 * persistence and compaction, opening intake boxes, projecting leads, and keeping two copies
 * of the doc in step over links.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { randomId } from '../../src/core/bytes.ts';
import type { PageView } from '../../src/core/capture.ts';
import type { LogEntry } from '../../src/core/relay-protocol.ts';
import { DEFAULT_RULES, scoreOf } from '../../src/core/scoring.ts';
import { generateIntakeKeyPair, seal } from '../../src/core/seal.ts';
import { addPageViews, assignLead, assignments, views } from '../../src/core/team-doc.ts';
import { WorkspaceDb } from '../../src/data/db.ts';
import { DocLinks } from '../../src/team/doc-links.ts';
import { DocStore } from '../../src/team/doc-store.ts';
import { openBoxes } from '../../src/team/intake.ts';
import { project } from '../../src/team/projection.ts';
import { importIntakePrivateKey } from '../../src/core/seal.ts';
import { pageView } from '../page-view.ts';

const opened: { destroy(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.destroy();
});

function view(visitorId: string, at: number, path: string, search = ''): PageView {
  return pageView({
    id: randomId(),
    visitorId,
    at,
    url: `https://site.example${path}${search}`,
    title: path,
  });
}

describe('doc store', () => {
  it('persists the doc with its cursor in one transaction and reloads it', async () => {
    const wsId = randomId();
    const db = new WorkspaceDb(wsId);
    const store = await DocStore.open(db);
    const visitors = [randomId(), randomId()];
    addPageViews(store.doc, [view(visitors[0] ?? '', 1, '/'), view(visitors[1] ?? '', 2, '/p')]);
    store.markDirty(visitors);
    await store.flush({ cursor: 42 });
    store.destroy();

    const again = await DocStore.open(db);
    expect(views(again.doc).size).toBe(2);
    expect((await db.meta.get('cursor'))?.value).toBe(42);
    expect(await db.dirty.count()).toBe(2);
    again.destroy();
    db.close();
  });

  it('compacts many update rows into one without losing anything', async () => {
    const id = randomId();
    const db = new WorkspaceDb(id);
    const store = await DocStore.open(db);
    for (let i = 0; i < 320; i++) {
      addPageViews(store.doc, [view(randomId(), i, `/p${i}`)]);
      await store.flush();
    }
    expect(await db.updates.count()).toBeLessThan(30);
    const expected = views(store.doc).toJSON();
    store.destroy();
    const again = await DocStore.open(db);
    expect(views(again.doc).toJSON()).toEqual(expected);
    expect(views(again.doc).size).toBe(320);
    again.destroy();
    db.close();
  });

  it('hands over the stored doc (what the relay snapshot seals) as one update', async () => {
    const db = new WorkspaceDb(randomId());
    const store = await DocStore.open(db);
    addPageViews(store.doc, [view(randomId(), 1, '/a')]);
    await store.flush();
    addPageViews(store.doc, [view(randomId(), 2, '/b')]);
    await store.flush();
    expect(await db.updates.count()).toBe(2);
    const restored = new Y.Doc();
    Y.applyUpdate(restored, await store.stored());
    expect(views(restored).toJSON()).toEqual(views(store.doc).toJSON());
    expect(views(restored).size).toBe(2);
    store.destroy();
    db.close();
  });
});

const NO_TEAM = { assignee: null, tags: [], customer: false };

describe('intake and projection', () => {
  it('opens good boxes and drops undecryptable or invalid ones without stopping', async () => {
    const wsId = randomId();
    const keys = await generateIntakeKeyPair();
    const other = await generateIntakeKeyPair();
    const good = view(randomId(), Date.now(), '/pricing');
    const entries: LogEntry[] = [
      {
        seq: 1,
        id: good.id,
        sealed: await seal(keys.publicKey, JSON.stringify(good), wsId),
        receivedAt: 0,
      },
      {
        seq: 2,
        id: randomId(),
        sealed: await seal(other.publicKey, JSON.stringify(good), wsId),
        receivedAt: 0,
      },
      { seq: 3, id: randomId(), sealed: 's1.AAAA.BBBB.CCCC', receivedAt: 0 },
      {
        seq: 4,
        id: randomId(),
        sealed: await seal(keys.publicKey, '{not json', wsId),
        receivedAt: 0,
      },
      {
        seq: 5,
        id: randomId(),
        sealed: await seal(keys.publicKey, JSON.stringify({ kind: 'x' }), wsId),
        receivedAt: 0,
      },
      // A valid box replayed under another event id must not be accepted.
      {
        seq: 6,
        id: randomId(),
        sealed: await seal(keys.publicKey, JSON.stringify(good), wsId),
        receivedAt: 0,
      },
      {
        seq: 7,
        id: good.id,
        sealed: await seal(keys.publicKey, JSON.stringify(good), randomId()),
        receivedAt: 0,
      },
    ];
    const result = await openBoxes(await importIntakePrivateKey(keys.privateKey), wsId, entries);
    expect(result.events).toEqual([good]);
    expect(result.dropped.map((d) => [d.seq, d.reason]).sort()).toEqual([
      [2, 'undecryptable'],
      [3, 'undecryptable'],
      [4, 'invalid'],
      [5, 'invalid'],
      [6, 'invalid'],
      [7, 'undecryptable'],
    ]);
  });

  it('projects leads with their score and reports those that just turned hot', async () => {
    const wsId = randomId();
    const db = new WorkspaceDb(wsId);
    const visitor = randomId();
    const landing = view(visitor, 1000, '/', '?utm_source=linkedin&utm_medium=paid_social');
    const first = await project(
      db,
      [{ visitorId: visitor, views: [landing], team: NO_TEAM }],
      DEFAULT_RULES,
      false,
    );
    expect(first).toEqual([]);
    // Rows hold what the score is computed from; the rules in force give the score.
    const scoreOfRow = async (id: string): Promise<number | undefined> => {
      const stored = await db.leads.get(id);
      return stored && scoreOf(stored.scoring, DEFAULT_RULES).score;
    };
    expect(await scoreOfRow(visitor)).toBe(50);

    const pricing = view(visitor, 2000, '/pricing');
    const second = await project(
      db,
      [{ visitorId: visitor, views: [landing, pricing], team: NO_TEAM }],
      DEFAULT_RULES,
      false,
    );
    expect(second).toEqual([visitor]);

    // While the list is first built (a join), nothing alerts: every lead would be "new".
    const other = randomId();
    const quiet = await project(
      db,
      [
        {
          visitorId: other,
          views: [
            view(other, 3000, '/', '?utm_source=linkedin&utm_medium=paid_social'),
            view(other, 3100, '/pricing'),
          ],
          team: { assignee: 'member1', tags: ['enterprise', 'vip'], customer: true },
        },
      ],
      DEFAULT_RULES,
      true,
    );
    expect(quiet).toEqual([]);
    const customer = await db.leads.get(other);
    // What teammates decided lands in the row: the customer is L4 (so "L2 or later" adds 10),
    // with assignee and tags.
    expect(await scoreOfRow(other)).toBe(85);
    expect(customer?.stage).toBe('L4');
    expect(customer?.assignee).toBe('member1');
    expect(customer?.tags).toEqual(['enterprise', 'vip']);
    expect(await scoreOfRow(visitor)).toBe(75);
    // Rules that weigh paid ads more turn the same row's score, with no rewrite.
    const paidWeighsMore = { ...DEFAULT_RULES, points: { ...DEFAULT_RULES.points, paidAds: 40 } };
    const row = await db.leads.get(visitor);
    expect(row && scoreOf(row.scoring, paidWeighsMore).score).toBe(90);
    expect(row?.lastActivity).toBe(2000);
    db.close();
  });
});

describe('one doc, two copies', () => {
  it('a doc reloaded from storage merges with a live peer', async () => {
    const db = new WorkspaceDb(randomId());
    const store = await DocStore.open(db);
    const peer = new Y.Doc();
    addPageViews(peer, [view(randomId(), 1, '/demo')]);
    Y.applyUpdate(store.doc, Y.encodeStateAsUpdate(peer), 'peer');
    await store.flush();
    store.destroy();
    const again = await DocStore.open(db);
    expect(views(again.doc).toJSON()).toEqual(views(peer).toJSON());
    again.destroy();
    db.close();
  });
});

describe('doc links', () => {
  /** Two copies joined by a peer link, as two teammates' team workers are through their pages. */
  function pair(): { a: Y.Doc; b: Y.Doc; linkA: DocLinks; linkB: DocLinks } {
    const a = new Y.Doc();
    const b = new Y.Doc();
    // Distinct channels: these stand for two browsers, not two tabs of one.
    const linkA: DocLinks = new DocLinks(a, randomId(), (_, bytes) => {
      linkB.received(1, bytes);
    });
    const linkB: DocLinks = new DocLinks(b, randomId(), (_, bytes) => {
      linkA.received(1, bytes);
    });
    for (const [doc, links] of [
      [a, linkA],
      [b, linkB],
    ] as const) {
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        links.changed(update, origin);
      });
      opened.push(links);
    }
    return { a, b, linkA, linkB };
  }

  it('a link brings both copies level, then carries each change both ways', () => {
    const { a, b, linkA, linkB } = pair();
    addPageViews(a, [view('visitor1', 1, '/before')]);
    assignLead(b, 'visitor1', 'member2', 'member2');
    linkA.opened(1);
    linkB.opened(1);
    expect(views(b).size).toBe(1);
    expect(assignments(a).get('visitor1')?.to).toBe('member2');
    addPageViews(b, [view('visitor2', 2, '/after')]);
    expect(views(a).size).toBe(2);
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b));
  });

  it('a closed link carries nothing; unreadable bytes are counted and change nothing', () => {
    const { a, b, linkA, linkB } = pair();
    linkA.opened(1);
    linkA.closed(1);
    linkB.closed(1);
    addPageViews(a, [view('visitor1', 1, '/')]);
    expect(views(b).size).toBe(0);
    linkA.opened(1);
    expect(views(b).size).toBe(1);
    const before = Y.encodeStateAsUpdate(b);
    const told: number[] = [];
    linkB.onUnreadable = (count) => told.push(count);
    linkB.received(1, new Uint8Array([0, 2, 200, 1, 2]));
    linkB.received(1, new Uint8Array([9, 9, 9]));
    expect(linkB.unreadable).toBe(2);
    expect(told).toEqual([1, 2]);
    expect(Y.encodeStateAsUpdate(b)).toEqual(before);
  });

  it("keeps a person's tabs in step over their shared channel", async () => {
    const channel = randomId();
    const a = new Y.Doc();
    addPageViews(a, [view('visitor1', 1, '/')]);
    const tabA = new DocLinks(a, channel, () => {});
    a.on('update', (update: Uint8Array, origin: unknown) => {
      tabA.changed(update, origin);
    });
    const b = new Y.Doc();
    const tabB = new DocLinks(b, channel, () => {});
    b.on('update', (update: Uint8Array, origin: unknown) => {
      tabB.changed(update, origin);
    });
    opened.push(tabA, tabB);
    await expect.poll(() => views(b).size).toBe(1);
    addPageViews(b, [view('visitor2', 2, '/b')]);
    await expect.poll(() => views(a).size).toBe(2);
  });
});
