/**
 * The team and list workers' parts in real Chromium: IndexedDB through Dexie, the team doc's
 * persistence (and what happens when writing fails), opening intake boxes, the projection, the
 * list fed over a channel, lead reads that follow one lead, and copies of the doc kept in step
 * over links.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ListEvents, ListPage } from '../../src/contracts/list.ts';
import { randomId } from '../../src/core/bytes.ts';
import type { LoggedChat, LoggedPageView } from '../../src/core/facts.ts';
import { NO_TEAM_FACTS, type Lead, type LeadRow, type ScoredRow } from '../../src/core/lead.ts';
import { type LeadDetail } from '../../src/core/lead-detail.ts';
import { NO_FILTERS } from '../../src/core/list-query.ts';
import { lastDays, type OverviewFigures } from '../../src/core/overview.ts';
import type { LogEntry } from '../../src/core/relay-protocol.ts';
import { DEFAULT_RULES, scoreOf } from '../../src/core/scoring.ts';
import { generateIntakeKeyPair, seal } from '../../src/core/seal.ts';
import { assignLead, assignments, TagIndex } from '../../src/core/team-doc.ts';
import { WorkspaceDb } from '../../src/data/db.ts';
import { ListCopy } from '../../src/list/list-copy.ts';
import { ListService } from '../../src/list/list-service.ts';
import { DocLinks } from '../../src/team/doc-links.ts';
import { DocStore } from '../../src/team/doc-store.ts';
import { intakeKeysOf, openBoxes } from '../../src/team/intake.ts';
import { LeadFeed } from '../../src/team/lead-feed.ts';
import { TeamEdits } from '../../src/team/team-edits.ts';
import { LeadReads } from '../../src/team/lead-reads.ts';
import { Projection } from '../../src/team/projection.ts';
import { pageView } from '../page-view.ts';
import { manualTimers } from '../manual-timers.ts';

const opened: { destroy(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.destroy();
});

/** A list service on a workspace's storage, telling only what `events` asks; closed after the test. */
function listed(workspace: string, events: Partial<ListEvents> = {}): ListService {
  const quiet = () => {};
  const list = new ListService(workspace, {
    page: quiet,
    hot: quiet,
    message: quiet,
    overview: quiet,
    error: quiet,
    ...events,
  });
  opened.push({
    destroy: () => {
      list.close();
    },
  });
  return list;
}

let seq = 0;
function view(visitorId: string, at: number, path: string, search = ''): LoggedPageView {
  return {
    ...pageView({
      id: randomId(),
      visitorId,
      at,
      url: `https://site.example${path}${search}`,
      title: path,
    }),
    seq: ++seq,
  };
}

describe('doc store', () => {
  it('persists the doc and the leads it touched in one transaction and reloads them', async () => {
    const db = new WorkspaceDb(randomId());
    const store = await DocStore.open(db);
    assignLead(store.doc, 'visitor1', 'ada');
    assignLead(store.doc, 'visitor2', 'ada');
    store.markDirty(['visitor1', 'visitor2']);
    await store.flush();
    store.destroy();

    const again = await DocStore.open(db);
    expect(assignments(again.doc).size).toBe(2);
    expect(await db.dirty.count()).toBe(2);
    again.destroy();
    db.close();
  });

  it('reloads a doc an older browser stored in Y.Maps: read as before, moved as rewritten', async () => {
    const db = new WorkspaceDb(randomId());
    // What the previous version stored: team edits in one Y.Map per kind.
    const older = new Y.Doc();
    older.getMap('assignments').set('visitor1', { to: 'ada', by: 'ada', at: 1 });
    older.getMap('assignments').set('visitor2', { to: 'grace', by: 'ada', at: 2 });
    older.getMap('tags').set('visitor1/vip/old.1', { by: 'ada', at: 3 });
    older.getMap('customers').set('visitor2', { by: 'ada', at: 4 });
    await db.updates.add({ update: Y.encodeStateAsUpdate(older) });

    const store = await DocStore.open(db);
    const edits = new TeamEdits(store.doc, 'grace', { now: () => 10 });
    expect(edits.teamFactsOf('visitor1')).toMatchObject({ assignee: 'ada', tags: ['vip'] });
    expect(edits.teamFactsOf('visitor2')).toMatchObject({ assignee: 'grace', customer: true });
    edits.assign('visitor1', 'grace');
    edits.untag('visitor1', 'vip');
    await store.flush();
    store.destroy();

    const again = await DocStore.open(db);
    const reloaded = new TeamEdits(again.doc, 'grace', { now: () => 20 });
    expect(reloaded.teamFactsOf('visitor1')).toMatchObject({ assignee: 'grace', tags: [] });
    expect(reloaded.teamFactsOf('visitor2')).toMatchObject({ assignee: 'grace', customer: true });
    // Rewritten keys left the old maps; the rest is still read from them.
    expect(again.doc.getMap('assignments').toJSON()).toEqual({
      visitor2: { to: 'grace', by: 'ada', at: 2 },
    });
    expect(again.doc.getMap('tags').size).toBe(0);
    again.destroy();
    db.close();
  });

  it('compacts many update rows into one without losing anything', async () => {
    const db = new WorkspaceDb(randomId());
    const store = await DocStore.open(db);
    for (let i = 0; i < 320; i++) {
      assignLead(store.doc, `visitor${String(i)}`, 'ada');
      await store.flush();
    }
    expect(await db.updates.count()).toBeLessThan(30);
    const expected = assignments(store.doc).toJSON();
    store.destroy();
    const again = await DocStore.open(db);
    expect(assignments(again.doc).toJSON()).toEqual(expected);
    expect(assignments(again.doc).size).toBe(320);
    again.destroy();
    db.close();
  });

  it('hands over the stored doc (what the relay snapshot seals) as its stored updates', async () => {
    const db = new WorkspaceDb(randomId());
    const store = await DocStore.open(db);
    assignLead(store.doc, 'visitor1', 'ada');
    await store.flush();
    assignLead(store.doc, 'visitor2', 'grace');
    await store.flush();
    expect(await db.updates.count()).toBe(2);
    const restored = new Y.Doc();
    const stored = await store.stored();
    expect(stored).toHaveLength(2);
    for (const update of stored) Y.applyUpdate(restored, update);
    expect(assignments(restored).toJSON()).toEqual(assignments(store.doc).toJSON());
    store.destroy();
    db.close();
  });

  it('stores of a snapshot taken in only what it brought: nothing twice', async () => {
    const db = new WorkspaceDb(randomId());
    const store = await DocStore.open(db);
    const teammate = new Y.Doc();
    const tags = new TagIndex(teammate);
    for (let i = 0; i < 200; i++) assignLead(teammate, `visitor${String(i)}`, 'grace');
    tags.add('visitor1', 'vip');
    const snapshot = Y.encodeStateAsUpdate(teammate);
    const storedBytes = async (): Promise<number[]> =>
      (await store.stored()).map((update) => update.length);

    await store.adopt([snapshot]);
    expect(await storedBytes()).toEqual([snapshot.length]);
    // The same snapshot again (say, after an upload that conflicted): nothing more is stored.
    await store.adopt([snapshot]);
    expect(await storedBytes()).toEqual([snapshot.length]);
    // A teammate's holding it and one edit more, and one removal: only those are stored.
    assignLead(teammate, 'visitor1', 'ada');
    await store.adopt([Y.encodeStateAsUpdate(teammate)]);
    tags.remove('visitor1', 'vip');
    await store.adopt([Y.encodeStateAsUpdate(teammate)]);
    const sizes = await storedBytes();
    expect(sizes).toHaveLength(3);
    expect((sizes[1] ?? 0) + (sizes[2] ?? 0)).toBeLessThan(snapshot.length / 10);
    store.destroy();

    const again = await DocStore.open(db);
    expect(assignments(again.doc).toJSON()).toEqual(assignments(teammate).toJSON());
    expect(new TagIndex(again.doc).tagsOf('visitor1')).toEqual([]);
    again.destroy();
    db.close();
  });

  it('a doc reloaded from storage merges with a live peer', async () => {
    const db = new WorkspaceDb(randomId());
    const store = await DocStore.open(db);
    const peer = new Y.Doc();
    assignLead(peer, 'visitor1', 'grace');
    Y.applyUpdate(store.doc, Y.encodeStateAsUpdate(peer), 'peer');
    await store.flush();
    store.destroy();
    const again = await DocStore.open(db);
    expect(assignments(again.doc).toJSON()).toEqual(assignments(peer).toJSON());
    again.destroy();
    db.close();
  });
});

describe('doc store when writing fails', () => {
  /** A doc store whose first `failures` row writes find storage full; what it told, in order. */
  async function failingStore(failures: number) {
    const db = new WorkspaceDb(randomId());
    const timers = manualTimers();
    const store = await DocStore.open(db, timers);
    const told: (string | null)[] = [];
    store.on('storage', (failure) => told.push(failure?.code ?? null));
    const add = db.updates.add.bind(db.updates);
    let left = failures;
    db.updates.add = ((...args: Parameters<typeof add>) => {
      if (left-- > 0) {
        const err = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return Promise.reject(err);
      }
      return add(...args);
    }) as typeof add;
    return { db, timers, store, told };
  }

  it('keeps every change, says storage is full, and stores them when writing works again', async () => {
    const { db, timers, store, told } = await failingStore(2);

    assignLead(store.doc, 'visitor1', 'ada');
    store.markDirty(['visitor1']);
    await expect(store.flush()).rejects.toThrow();
    // A change made while storage is failing waits with the others.
    assignLead(store.doc, 'visitor2', 'ada');
    await expect(store.flush()).rejects.toThrow();
    expect(told).toEqual(['storage_full', 'storage_full']);
    expect(await db.updates.count()).toBe(0);
    // The retry, on its timer.
    expect(timers.pending()).toBeGreaterThan(0);
    timers.run();
    await expect.poll(() => db.updates.count()).toBe(1);
    await expect.poll(() => told).toEqual(['storage_full', 'storage_full', null]);
    expect(await db.dirty.count()).toBe(1);
    store.destroy();
    const again = await DocStore.open(db);
    expect(assignments(again.doc).size).toBe(2);
    again.destroy();
    db.close();
  });

  it('keeps a snapshot it took in when storing it fails, and stores it on the retry', async () => {
    const { db, timers, store, told } = await failingStore(1);
    const teammate = new Y.Doc();
    assignLead(teammate, 'visitor1', 'grace');

    await expect(store.adopt([Y.encodeStateAsUpdate(teammate)])).rejects.toThrow();
    expect(told).toEqual(['storage_full']);
    expect(assignments(store.doc).get('visitor1')?.to).toBe('grace');
    timers.run();
    await expect.poll(() => told).toEqual(['storage_full', null]);
    store.destroy();
    const again = await DocStore.open(db);
    expect(assignments(again.doc).toJSON()).toEqual(assignments(teammate).toJSON());
    again.destroy();
    db.close();
  });
});

describe('intake and projection', () => {
  it('opens good boxes and drops undecryptable or invalid ones without stopping', async () => {
    const wsId = randomId();
    const keys = await generateIntakeKeyPair();
    const other = await generateIntakeKeyPair();
    const good = pageView({ id: randomId(), visitorId: randomId(), at: Date.now() });
    // A visitor whose clock runs two days ahead.
    const ahead = pageView({
      id: randomId(),
      visitorId: randomId(),
      at: Date.now() + 2 * 86_400_000,
    });
    const crawled = {
      ...pageView({ id: randomId(), visitorId: randomId(), at: Date.now() }),
      ua: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    };
    const entry = async (n: number, id: string, text: string, key = keys.publicKey, ws = wsId) =>
      ({ seq: n, id, sealed: await seal(key, text, ws), receivedAt: 0 }) satisfies LogEntry;
    const entries: LogEntry[] = [
      { ...(await entry(1, good.id, JSON.stringify(good))), receivedAt: good.at + 1_234 },
      { ...(await entry(10, ahead.id, JSON.stringify(ahead))), receivedAt: good.at + 1_234 },
      await entry(2, randomId(), JSON.stringify(good), other.publicKey),
      { seq: 3, id: randomId(), sealed: 's1.AAAA.BBBB.CCCC', receivedAt: 0 },
      await entry(4, randomId(), '{not json'),
      await entry(5, randomId(), JSON.stringify({ kind: 'x' })),
      // A valid box replayed under another event id must not be accepted.
      await entry(6, randomId(), JSON.stringify(good)),
      await entry(7, good.id, JSON.stringify(good), keys.publicKey, randomId()),
      await entry(
        8,
        'excluded_visit_0000001',
        JSON.stringify({
          kind: 'excluded',
          id: 'excluded_visit_0000001',
          at: 1,
          reason: 'bot',
        }),
      ),
      // A crawler's page view: the widget sends it as any other, the app counts it only.
      await entry(9, crawled.id, JSON.stringify(crawled)),
    ];
    const result = await openBoxes(await intakeKeysOf(keys.privateKey), wsId, entries);
    // With the relay's time of storing it, which retention sweeps go by.
    // An event dated after it was stored is dated when it was stored.
    expect(result.views).toEqual([
      { ...good, seq: 1, receivedAt: good.at + 1_234 },
      { ...ahead, seq: 10, receivedAt: good.at + 1_234, at: good.at + 1_234 },
    ]);
    expect(result.excluded).toBe(2);
    expect(result.dropped.map((d) => [d.seq, d.reason]).sort()).toEqual([
      [2, 'undecryptable'],
      [3, 'undecryptable'],
      [4, 'invalid'],
      [5, 'invalid'],
      [6, 'invalid'],
      [7, 'undecryptable'],
    ]);
  });

  it('stores leads with what their score is computed from, and what teammates decided', async () => {
    const db = new WorkspaceDb(randomId());
    const team = new Map([
      [
        'other',
        {
          assignee: 'member1',
          tags: ['enterprise', 'vip'],
          customer: true,
          messaged: false,
          readBy: {},
        },
      ],
    ]);
    const projection = new Projection(db, (id) => team.get(id) ?? NO_TEAM_FACTS);
    await projection.open();
    const visitor = randomId();
    const landing = view(visitor, 1000, '/', '?utm_source=linkedin&utm_medium=paid_social');
    await projection.ingest([landing], landing.seq, { live: true });
    // Rows hold what the score is computed from; the rules in force give the score.
    const scoreOfLead = async (id: string): Promise<number | undefined> => {
      const lead = await db.leads.get(id);
      return lead && scoreOf(lead.row.scoring, DEFAULT_RULES).score;
    };
    expect(await scoreOfLead(visitor)).toBe(50);
    const pricing = view(visitor, 2000, '/pricing');
    await projection.ingest([pricing], pricing.seq, { live: true });
    expect(await scoreOfLead(visitor)).toBe(75);

    const other = [
      { ...view('other', 3000, '/', '?utm_source=linkedin&utm_medium=paid_social') },
      { ...view('other', 3100, '/pricing') },
    ];
    await projection.ingest(other, seq, { live: false });
    const customer = await db.leads.get('other');
    // What teammates decided lands in the row: the customer is L4, with assignee and tags
    // (and no "provided their name": this visitor never gave one).
    expect(await scoreOfLead('other')).toBe(75);
    expect(customer?.row).toMatchObject({
      stage: 'L4',
      assignee: 'member1',
      tags: ['enterprise', 'vip'],
    });
    // Rules that weigh paid ads more turn the same row's score, with no rewrite.
    const paidWeighsMore = { ...DEFAULT_RULES, points: { ...DEFAULT_RULES.points, paidAds: 40 } };
    const lead = await db.leads.get(visitor);
    expect(lead && scoreOf(lead.row.scoring, paidWeighsMore).score).toBe(90);
    expect(lead?.row.lastActivity).toBe(2000);
    db.close();
  });
});

describe('the list, fed by the team worker', () => {
  async function fedList() {
    const workspace = randomId();
    const db = new WorkspaceDb(workspace);
    const projection = new Projection(db, () => NO_TEAM_FACTS);
    await projection.open();
    const channel = new MessageChannel();
    const feed = new LeadFeed(channel.port2, randomId());
    projection.on('changed', (change) => {
      feed.publish(change);
    });
    const pages: ListPage[] = [];
    const hot: ScoredRow[][] = [];
    const wrote: ScoredRow[][] = [];
    const overviews: OverviewFigures[] = [];
    const list = new ListService(workspace, {
      page: (page) => pages.push(page),
      hot: (rows) => hot.push(rows),
      message: (rows) => wrote.push(rows),
      overview: (figures) => overviews.push(figures),
      error: (failure) => {
        throw new Error(failure.message);
      },
    });
    list.connect(channel.port1);
    await list.loaded;
    opened.push(
      {
        destroy: () => {
          list.close();
        },
      },
      feed,
    );
    const query = { ...NO_FILTERS, kind: 'leads' as const, sort: 'activity' as const, me: 'm' };
    return { db, projection, list, pages, hot, wrote, overviews, query, workspace };
  }

  it("keeps the Overview's counts as leads change and are swept, as a recount would", async () => {
    const { projection, list, overviews, workspace } = await fedList();
    const period = lastDays(7, Date.now());
    const t0 = Math.max(period.from, Date.now() - 3_600_000);
    const [a, b, c] = [randomId(), randomId(), randomId()];
    await projection.ingest(
      [
        view(a, t0, '/', '?utm_source=google&utm_medium=cpc&utm_campaign=spring'),
        view(b, t0 + 10, '/pricing', '?utm_source=linkedin&utm_medium=paid_social'),
        view(c, t0 + 20, '/blog'),
      ],
      seq,
      { live: false },
    );
    await expect.poll(async () => (await list.watchOverview(period))?.leads).toBe(3);
    // A comes back and writes (L3); B is swept (never engaged, nothing after the horizon).
    const message: LoggedChat = {
      kind: 'message',
      id: randomId(),
      visitorId: a,
      at: t0 + 5_000,
      text: 'Do you ship to Berlin?',
      mailbox: 'mailbox_abcdefghijklmnop',
      seq: ++seq,
      from: 'K'.repeat(87),
    };
    await projection.ingest([view(a, t0 + 4_000, '/pricing'), message], seq, { live: true });
    await expect.poll(() => overviews.at(-1)?.funnel.map((s) => s.reached)).toEqual([3, 1, 1, 0]);
    await projection.sweep(t0 + 15, 7);
    await expect.poll(() => overviews.at(-1)?.leads).toBe(2);
    const live = overviews.at(-1);
    expect(live?.sources.map((s) => [s.key, s.leads, s.contacted])).toEqual([
      ['Direct', 1, 0],
      ['google', 1, 1],
    ]);

    // Counted afresh from what is stored, the figures are the same.
    const again = listed(workspace);
    expect(await again.watchOverview(period)).toEqual(live);
  });

  it('tells of a visitor who just wrote, live only, and shows the message in the row', async () => {
    const { projection, list, pages, wrote, query } = await fedList();
    await list.show({ ...query, kind: 'inbox' }, 0, 10);
    const visitor = randomId();
    const said = (text: string, at: number): LoggedChat => ({
      kind: 'message',
      id: randomId(),
      visitorId: visitor,
      at,
      text,
      mailbox: 'mailbox_abcdefghijklmnop',
      seq: ++seq,
      from: 'K'.repeat(87),
    });
    const landing = view(visitor, 1000, '/');
    const backlog = said('old news', 1500);
    await projection.ingest([landing, backlog], backlog.seq, { live: false });
    await expect.poll(() => pages.at(-1)?.rows[0]?.lastMessage?.text).toBe('old news');
    expect(wrote).toEqual([]);
    const fresh = said('Is anyone there?', 2000);
    await projection.ingest([fresh], fresh.seq, { live: true });
    await expect
      .poll(() => wrote.flat().map((r) => [r.id, r.lastMessage?.text]))
      .toEqual([[visitor, 'Is anyone there?']]);
    expect(pages.at(-1)?.rows[0]?.unread).toBe(2);
  });

  it('alerts a lead that live intake pushed over 70, and pushes the window again', async () => {
    const { projection, list, pages, hot, query } = await fedList();
    expect((await list.show(query, 0, 10)).total).toBe(0);
    const visitor = randomId();
    const landing = view(visitor, 1000, '/', '?utm_source=linkedin&utm_medium=paid_social');
    await projection.ingest([landing], landing.seq, { live: true });
    await expect.poll(() => pages.at(-1)?.rows[0]?.score).toBe(50);
    expect(hot).toEqual([]);
    const pricing = view(visitor, 2000, '/pricing');
    await projection.ingest([pricing], pricing.seq, { live: true });
    await expect.poll(() => hot.flat().map((r) => [r.id, r.score])).toEqual([[visitor, 75]]);
    await expect.poll(() => pages.at(-1)?.rows[0]?.score).toBe(75);
  });

  it('raises no alert for backlog (a join, a catch-up) however hot', async () => {
    const { projection, list, pages, hot, query } = await fedList();
    await list.show(query, 0, 10);
    const visitor = randomId();
    const views = [
      view(visitor, 1000, '/', '?utm_source=linkedin&utm_medium=paid_social'),
      view(visitor, 2000, '/pricing'),
    ];
    await projection.ingest(views, seq, { live: false });
    await expect.poll(() => pages.at(-1)?.rows[0]?.score).toBe(75);
    expect(hot).toEqual([]);
  });

  it('shows at once after a reload: its own copy, and what was written while it was away', async () => {
    const { db, projection, list, query, workspace } = await fedList();
    const a = view(randomId(), 1000, '/');
    await projection.ingest([a], a.seq, { live: false });
    await expect.poll(async () => (await list.show(query, 0, 10)).total).toBe(1);
    // The copy is written a moment after the change.
    await expect.poll(() => db.list.count(), { timeout: 5_000 }).toBeGreaterThan(0);
    list.close();
    // Written while no list was listening.
    const b = view(randomId(), 2000, '/pricing');
    await projection.ingest([b], b.seq, { live: false });
    const again = listed(workspace);
    const page = await again.show(query, 0, 10);
    expect(page.rows.map((r) => r.id)).toEqual([b.visitorId, a.visitorId]);
  });
});

describe('the first window after a reload', () => {
  it('is painted from the head of the list, then pushed again with its counts once loaded', async () => {
    const workspace = randomId();
    const db = new WorkspaceDb(workspace);
    const row = (i: number): LeadRow => ({
      id: `lead${String(i).padStart(18, '0')}`,
      displayName: `Lead ${String(i)}`,
      generatedName: `Lead ${String(i)}`,
      stage: 'L1',
      scoring: { signals: 0, pages: ['/pricing/'] },
      sourceDomain: 'site.example',
      channel: 'Direct',
      firstSeen: i,
      source: 'Direct',
      campaign: '',
      landing: '/',
      lastActivity: i,
      assignee: '',
      tags: [],
      visitorMessageTimes: [],
      readBy: {},
      rev: 1,
    });
    // Leads, a list copy large enough to take a while to read, and its head.
    const rows = Array.from({ length: 20_000 }, (_, i) => row(i));
    await db.leads.bulkPut(rows.map((r) => ({ id: r.id, rev: 1, row: r }) as unknown as Lead));
    await db.list.bulkAdd(
      Array.from({ length: 4 }, (_, b) => ({
        rows: rows.slice(b * 5_000, b * 5_000 + 5_000),
        gone: [],
      })),
    );
    const copy = new ListCopy(db);
    await copy.writeHead([...rows].reverse());
    const pages: ListPage[] = [];
    const list = listed(workspace, { page: (p) => pages.push(p) });
    const query = { ...NO_FILTERS, kind: 'leads' as const, sort: 'activity' as const, me: 'm' };
    const first = await list.show(query, 0, 30);
    expect(first.counts).toBeUndefined();
    expect(first.total).toBe(20_000);
    expect(first.rows.map((r) => r.id)).toEqual(
      rows
        .slice(-30)
        .reverse()
        .map((r) => r.id),
    );
    expect(first.rows[0]?.score).toBe(25);
    await expect.poll(() => pages.at(-1)?.counts?.assignment.all).toBe(20_000);
    expect(pages.at(-1)?.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    db.close();
  });
});

describe('lead reads', () => {
  it('refreshes the open lead when it changes, and never for another lead', async () => {
    const db = new WorkspaceDb(randomId());
    const projection = new Projection(db, () => NO_TEAM_FACTS);
    await projection.open();
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {};
    const feed = new LeadFeed(channel.port2, randomId());
    opened.push(feed);
    projection.on('changed', (change) => {
      feed.publish(change);
    });
    const told: [string, LeadDetail | null][] = [];
    const edits = new TeamEdits(new Y.Doc(), 'member-ada', { now: () => 5000 });
    const reads = new LeadReads(
      db,
      feed,
      edits,
      () => ({ rules: DEFAULT_RULES, awayText: 'Away' }),
      (id, detail) => told.push([id, detail]),
    );
    const [shown, other] = [randomId(), randomId()];
    const first = view(shown, 1000, '/');
    await projection.ingest([first, view(other, 1000, '/')], seq, { live: false });

    const detail = await reads.watch(shown);
    expect(detail?.visits.map((v) => v.id)).toEqual([first.id]);
    const elsewhere = view(other, 2000, '/pricing');
    await projection.ingest([elsewhere], elsewhere.seq, { live: false });
    const again = view(shown, 3000, '/pricing');
    await projection.ingest([again], again.seq, { live: false });
    await expect.poll(() => told.length).toBe(1);
    expect(told[0]?.[0]).toBe(shown);
    expect(told[0]?.[1]?.pageViews).toBe(2);
    expect(told[0]?.[1]?.score).toBe(30); // /pricing 25, Berlin → Germany 5

    // A teammate's message: to the other lead, nothing; to this one, its conversation.
    edits.write(other, 'Hello there');
    edits.write(shown, 'Welcome back');
    await expect.poll(() => told.length).toBe(2);
    expect(told[1]?.[1]?.conversation.map((m) => [m.from, m.text])).toEqual([
      ['team', 'Welcome back'],
    ]);
    db.close();
  });
});

describe('doc links', () => {
  /** Browsers joined by peer links, as teammates' team workers are through their pages. */
  function browsers(count: number): { docs: Y.Doc[]; links: DocLinks[] } {
    const docs: Y.Doc[] = [];
    const links: DocLinks[] = [];
    for (let i = 0; i < count; i++) {
      const doc = new Y.Doc();
      // Distinct channels: these stand for browsers, not tabs of one.
      const link: DocLinks = new DocLinks(doc, new BroadcastChannel(randomId()), (to, bytes) => {
        links[to]?.received(i, bytes);
      });
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        link.changed(update, origin);
      });
      docs.push(doc);
      links.push(link);
      opened.push(link);
    }
    return { docs, links };
  }

  it('a link brings both copies level, then carries each change both ways', () => {
    const {
      docs: [a, b],
      links: [linkA, linkB],
    } = browsers(2);
    if (!a || !b || !linkA || !linkB) throw new Error('fixture');
    assignLead(a, 'visitor1', 'member1');
    assignLead(b, 'visitor2', 'member2');
    linkA.opened(1);
    linkB.opened(0);
    expect(assignments(b).get('visitor1')?.to).toBe('member1');
    expect(assignments(a).get('visitor2')?.to).toBe('member2');
    assignLead(b, 'visitor3', 'member2');
    expect(assignments(a).size).toBe(3);
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b));
  });

  it('passes changes on, so browsers that are not linked directly still converge live', () => {
    // A – B – C: A and C have no link of their own.
    const { docs, links } = browsers(3);
    const [a, , c] = docs;
    const [linkA, linkB, linkC] = links;
    if (!a || !c || !linkA || !linkB || !linkC) throw new Error('fixture');
    linkA.opened(1);
    linkB.opened(0);
    linkB.opened(2);
    linkC.opened(1);
    assignLead(a, 'visitor1', 'member1');
    expect(assignments(c).get('visitor1')?.to).toBe('member1');
    assignLead(c, 'visitor2', 'member3');
    expect(assignments(a).get('visitor2')?.to).toBe('member3');
    for (const doc of docs) expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(a));
  });

  it('a closed link carries nothing; unreadable bytes are counted and change nothing', () => {
    const {
      docs: [a, b],
      links: [linkA, linkB],
    } = browsers(2);
    if (!a || !b || !linkA || !linkB) throw new Error('fixture');
    linkA.opened(1);
    linkA.closed(1);
    linkB.closed(0);
    assignLead(a, 'visitor1', 'member1');
    expect(assignments(b).size).toBe(0);
    linkA.opened(1);
    expect(assignments(b).size).toBe(1);
    const before = Y.encodeStateAsUpdate(b);
    const told: number[] = [];
    linkB.on('unreadable', (count) => told.push(count));
    linkB.received(0, new Uint8Array([0, 2, 200, 1, 2]));
    linkB.received(0, new Uint8Array([9, 9, 9]));
    expect(linkB.unreadable).toBe(2);
    expect(told).toEqual([1, 2]);
    expect(Y.encodeStateAsUpdate(b)).toEqual(before);
  });

  it("keeps a person's tabs in step over their shared channel", async () => {
    const channel = randomId();
    const a = new Y.Doc();
    assignLead(a, 'visitor1', 'member1');
    const tabA = new DocLinks(a, new BroadcastChannel(channel), () => {});
    a.on('update', (update: Uint8Array, origin: unknown) => {
      tabA.changed(update, origin);
    });
    const b = new Y.Doc();
    const tabB = new DocLinks(b, new BroadcastChannel(channel), () => {});
    b.on('update', (update: Uint8Array, origin: unknown) => {
      tabB.changed(update, origin);
    });
    opened.push(tabA, tabB);
    await expect.poll(() => assignments(b).size).toBe(1);
    assignLead(b, 'visitor2', 'member1');
    await expect.poll(() => assignments(a).size).toBe(2);
  });
});
