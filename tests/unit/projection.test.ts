/**
 * The projection — visitors' facts stored once and folded into leads, team edits folded in —
 * against IndexedDB (fake-indexeddb, the same API the browser has).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { randomId } from '../../src/core/bytes.ts';
import { decodeSegment, type LoggedChat, type LoggedPageView } from '../../src/core/facts.ts';
import { NO_TEAM_FACTS, type TeamFacts } from '../../src/core/lead.ts';
import { WorkspaceDb } from '../../src/data/db.ts';
import { Projection, type LeadChange } from '../../src/team/projection.ts';
import { pageView } from '../page-view.ts';

const dbs: WorkspaceDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) {
    db.close();
    await db.delete();
  }
});

function database(): WorkspaceDb {
  const db = new WorkspaceDb(randomId());
  dbs.push(db);
  return db;
}

const visitor = (n: number): string => `visitor${String(n).padStart(15, '0')}`;

/** The n-th entry of a shared intake log: a page view of one of a few visitors. */
function logged(seq: number, who = seq % 3, path = seq % 2 ? '/pricing' : '/'): LoggedPageView {
  return {
    ...pageView({
      id: `event${String(seq).padStart(17, '0')}`,
      visitorId: visitor(who),
      at: 1_000 + seq,
      url: `https://site.example${path}`,
      title: path,
      tz: seq > 6 ? 'America/New_York' : 'Europe/Berlin',
    }),
    seq,
  };
}

const LOG = Array.from({ length: 12 }, (_, i) => logged(i + 1));

async function projection(
  team: (id: string) => TeamFacts = () => NO_TEAM_FACTS,
  options: { inMemoryEvents?: number } = {},
) {
  const db = database();
  const p = new Projection(db, team, options);
  await p.open();
  const changes: LeadChange[] = [];
  p.on('changed', (change) => changes.push(change));
  return { db, p, changes };
}

/** A visitor's chat event in the log (a name or a message). */
function chatted(seq: number, who: number, kind: 'name' | 'message'): LoggedChat {
  const common = {
    id: `chat${String(seq).padStart(18, '0')}`,
    visitorId: visitor(who),
    at: 1_000 + seq,
    mailbox: 'mailbox_abcdefghijklmnop',
    seq,
    from: 'K'.repeat(87),
  };
  return kind === 'name' ? { ...common, kind, name: 'Rosa' } : { ...common, kind, text: 'Hi' };
}

describe('the projection', () => {
  it('keeps chat events that come before the visitor’s first page view, even across a reopen', async () => {
    const { db, p } = await projection();
    await p.ingest([chatted(1, 0, 'name'), chatted(2, 0, 'message')], 2, { live: true });
    expect(await db.leads.get(visitor(0))).toBeUndefined();
    // Another tab takes over before the page view comes.
    const again = new Projection(db, () => NO_TEAM_FACTS);
    await again.open();
    await again.ingest([logged(3, 0)], 3, { live: true });
    const lead = await db.leads.get(visitor(0));
    expect(lead?.row.stage).toBe('L3');
    expect(lead?.row.displayName).toBe('Rosa');
    expect(lead?.facts.chat?.messages.map((m) => m.text)).toEqual(['Hi']);
    expect(await db.meta.get('waiting')).toEqual({ key: 'waiting', value: [] });
  });

  it('bounds what waits: the oldest visitors without a page view give way', async () => {
    const { db, p } = await projection();
    const events = Array.from({ length: 250 }, (_, i) => chatted(i + 1, 100 + i, 'message'));
    await p.ingest(events, 250, { live: true });
    const waiting = (await db.meta.get('waiting'))?.value as [string, unknown][];
    expect(waiting).toHaveLength(200);
    expect(waiting[0]?.[0]).toBe(visitor(150));
  });

  it('stores a page view once however often it is delivered', async () => {
    const { db, p } = await projection();
    const e = logged(1, 0);
    await p.ingest([e, e], 1, { live: true });
    await p.ingest([e], 1, { live: true });
    await p.ingest([e, logged(2, 0)], 2, { live: true });
    const lead = await db.leads.get(visitor(0));
    expect(lead?.facts.pageViews).toBe(2);
    const stored = await Promise.all((await db.facts.toArray()).map((s) => decodeSegment(s.bytes)));
    expect(stored.flatMap((s) => s.events.map((ev) => ev.id))).toEqual([e.id, logged(2, 0).id]);
    expect(await db.meta.get('cursor')).toEqual({ key: 'cursor', value: 2 });
  });

  it('gives two browsers reading one log in different batches the same leads', async () => {
    const a = await projection();
    const b = await projection();
    await a.p.ingest(LOG.slice(0, 5), 5, { live: false });
    await a.p.ingest(LOG.slice(5), 12, { live: false });
    for (let i = 0; i < LOG.length; i += 2) {
      await b.p.ingest(LOG.slice(i, i + 2), i + 2, { live: false });
    }
    const leadsA = await a.db.leads.toArray();
    const leadsB = await b.db.leads.toArray();
    expect(leadsA.map((l) => l.facts)).toEqual(leadsB.map((l) => l.facts));
    expect(leadsA).toHaveLength(3);
  });

  it('folds a visitor’s page views with their latest profile', async () => {
    const { db, p } = await projection();
    await p.ingest(LOG, 12, { live: false });
    const lead = await db.leads.get(visitor(1));
    expect(lead?.facts.pageViews).toBe(4);
    expect(lead?.facts.tz).toBe('America/New_York');
    expect(lead?.facts.first.url).toBe('https://site.example/pricing');
  });

  it('tells what changed: list rows, and which leads live intake touched', async () => {
    const { p, changes } = await projection();
    await p.ingest(LOG.slice(0, 3), 3, { live: true });
    await p.ingest(LOG.slice(3, 6), 6, { live: false });
    expect(changes).toHaveLength(2);
    expect(changes[0]?.rows.map((r) => r.id).sort()).toEqual([visitor(0), visitor(1), visitor(2)]);
    expect(changes[0]?.live.sort()).toEqual([visitor(0), visitor(1), visitor(2)]);
    expect(changes[1]?.live).toEqual([]);
    // Every write is newer than the last.
    expect(changes[1]?.rows[0]?.rev).toBeGreaterThan(changes[0]?.rows[0]?.rev ?? Infinity);
  });

  it('folds team facts in when the team doc changes them', async () => {
    let team: TeamFacts = NO_TEAM_FACTS;
    const { db, p, changes } = await projection(() => team);
    await p.ingest(LOG.slice(0, 3), 3, { live: false });
    team = { assignee: 'ada', tags: ['vip'], customer: true, messaged: false, readBy: {} };
    await db.dirty.put({ id: visitor(1) });
    await p.reproject([visitor(1), 'unknown-lead-0000000']);
    const lead = await db.leads.get(visitor(1));
    expect(lead?.row).toMatchObject({ assignee: 'ada', tags: ['vip'], stage: 'L4' });
    expect(await db.dirty.count()).toBe(0);
    expect(changes.at(-1)?.rows.map((r) => r.id)).toEqual([visitor(1)]);
  });

  it('takes in a snapshot’s facts beyond its cursor, and then reads the log from there', async () => {
    const source = await projection();
    await source.p.ingest(LOG.slice(0, 8), 8, { live: false });
    const { cursor, segments } = await source.p.facts();
    expect(cursor).toBe(8);

    const member = await projection();
    await member.p.ingest(LOG.slice(0, 2), 2, { live: false });
    await member.p.takeIn(segments, cursor);
    expect(member.p.cursor).toBe(8);
    await member.p.ingest(LOG.slice(8), 12, { live: false });

    const whole = await projection();
    await whole.p.ingest(LOG, 12, { live: false });
    expect((await member.db.leads.toArray()).map((l) => l.facts)).toEqual(
      (await whole.db.leads.toArray()).map((l) => l.facts),
    );
    expect(member.changes.every((c) => c.live.length === 0)).toBe(true);
  });

  it('folds a large snapshot a segment at a time, with the same leads', async () => {
    const source = await projection();
    for (let i = 0; i < LOG.length; i += 3) {
      await source.p.ingest(LOG.slice(i, i + 3), i + 3, { live: false });
    }
    const { cursor, segments } = await source.p.facts();
    expect(segments.length).toBeGreaterThan(1);
    const member = await projection(() => NO_TEAM_FACTS, { inMemoryEvents: 2 });
    await member.p.takeIn(segments, cursor);
    expect((await member.db.leads.toArray()).map((l) => l.facts)).toEqual(
      (await source.db.leads.toArray()).map((l) => l.facts),
    );
    expect(member.changes.length).toBe(segments.length);
  });

  it('folds a snapshot’s facts in again when the tab closed before its leads were written', async () => {
    const source = await projection();
    await source.p.ingest(LOG, 12, { live: false });
    const { cursor, segments } = await source.p.facts();
    const member = await projection();
    const put = member.db.leads.bulkPut.bind(member.db.leads);
    member.db.leads.bulkPut = (() =>
      Promise.reject(new Error('the tab closed'))) as unknown as typeof put;
    await expect(member.p.takeIn(segments, cursor)).rejects.toThrow('the tab closed');
    // The facts and the cursor are in; the leads are not.
    expect(await member.db.leads.count()).toBe(0);
    expect(await member.db.meta.get('cursor')).toEqual({ key: 'cursor', value: 12 });
    member.db.leads.bulkPut = put;

    const again = new Projection(member.db, () => NO_TEAM_FACTS);
    await again.open();
    await again.resume();
    expect((await member.db.leads.toArray()).map((l) => l.facts)).toEqual(
      (await source.db.leads.toArray()).map((l) => l.facts),
    );
    expect(await member.db.meta.get('folding')).toBeUndefined();
  });

  it('drops a snapshot’s events that fail validation, and counts them', async () => {
    const source = await projection();
    const bad = { ...logged(1), url: 'javascript:alert(1)' };
    await source.p.ingest([bad, logged(2)], 2, { live: false });
    const { segments } = await source.p.facts();
    const member = await projection();
    expect(await member.p.takeIn(segments, 2)).toEqual({ invalid: 1 });
    expect(await member.db.leads.count()).toBe(1);
  });
});

describe('the projection when storage fails', () => {
  it('loses nothing: the cursor stays, the batch is stored when it is tried again', async () => {
    const { db, p } = await projection();
    const failures: (string | null)[] = [];
    p.on('storage', (failure) => failures.push(failure?.code ?? null));
    const put = db.leads.bulkPut.bind(db.leads);
    let fail = true;
    db.leads.bulkPut = ((...args: Parameters<typeof put>) => {
      if (fail) {
        const err = new Error('The quota has been exceeded.');
        err.name = 'QuotaExceededError';
        return Promise.reject(err);
      }
      return put(...args);
    }) as typeof put;

    await expect(p.ingest(LOG.slice(0, 3), 3, { live: false })).rejects.toThrow('quota');
    expect(p.cursor).toBe(0);
    expect(await db.meta.get('cursor')).toBeUndefined();
    expect(await db.facts.count()).toBe(0);
    expect(failures).toEqual(['storage_full']);

    fail = false;
    await p.ingest(LOG.slice(0, 3), 3, { live: false });
    expect(p.cursor).toBe(3);
    expect(await db.leads.count()).toBe(3);
    expect(failures).toEqual(['storage_full', null]);
  });
});
