/**
 * A retention sweep in storage (Projection.sweep, on IndexedDB): swept leads leave the leads
 * table and the list, their facts leave the segments (storage shrinks), a visitor who came back
 * is folded again from what came after, and late facts are marked to be swept again.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { randomId } from '../../src/core/bytes.ts';
import { decodeSegment, type LoggedPageView } from '../../src/core/facts.ts';
import { NO_TEAM_FACTS, type TeamFacts } from '../../src/core/lead.ts';
import { DAY_MS } from '../../src/core/sweep.ts';
import { readMeta, WorkspaceDb } from '../../src/data/db.ts';
import { Projection, type LeadChange } from '../../src/team/projection.ts';
import { pageView } from '../page-view.ts';

const dbs: WorkspaceDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) {
    db.close();
    await db.delete();
  }
});

const visitor = (n: number): string => `visitor${String(n).padStart(15, '0')}`;
const T0 = 1_000 * DAY_MS;

function logged(seq: number, who: number, receivedAt: number): LoggedPageView {
  return {
    ...pageView({ id: `event${String(seq).padStart(17, '0')}`, visitorId: visitor(who), at: 5 }),
    seq,
    receivedAt,
  };
}

async function opened(team: (id: string) => TeamFacts = () => NO_TEAM_FACTS) {
  const db = new WorkspaceDb(randomId());
  dbs.push(db);
  const p = new Projection(db, team);
  await p.open();
  const changes: LeadChange[] = [];
  p.on('changed', (c) => changes.push(c));
  return { db, p, changes };
}

async function storedEvents(db: WorkspaceDb): Promise<string[]> {
  const out: string[] = [];
  for (const s of await db.facts.toArray()) {
    for (const e of (await decodeSegment(s.bytes)).events)
      out.push(`${e.visitorId}:${String(e.seq)}`);
  }
  return out.sort();
}

describe('a sweep in storage', () => {
  // Visitor 1 went quiet 10 days ago; 2 is active; 3 went quiet, then came back; 4 is tagged.
  const LOG = [
    logged(1, 1, T0 - 10 * DAY_MS),
    logged(2, 3, T0 - 10 * DAY_MS),
    logged(3, 4, T0 - 10 * DAY_MS),
    logged(4, 2, T0 - 3 * DAY_MS),
    logged(5, 2, T0 - DAY_MS),
    logged(6, 3, T0 - 1_000),
  ];
  const tagged = (id: string): TeamFacts =>
    id === visitor(4) ? { ...NO_TEAM_FACTS, tags: ['vip'] } : NO_TEAM_FACTS;
  const horizon = T0 - 7 * DAY_MS;

  it('removes the quiet, folds again the returning, keeps the rest — in storage too', async () => {
    const { db, p, changes } = await opened(tagged);
    await p.ingest(LOG, 6, { live: false });
    changes.length = 0;
    const result = await p.sweep(horizon, 7);
    expect(result).toEqual({ removed: 1, revived: 1, events: 2 });
    expect((await db.leads.toArray()).map((l) => l.id).sort()).toEqual([
      visitor(2),
      visitor(3),
      visitor(4),
    ]);
    // The returning visitor keeps only the visit after the quiet stretch.
    expect((await db.leads.get(visitor(3)))?.facts.pageViews).toBe(1);
    expect(await storedEvents(db)).toEqual(
      [`${visitor(2)}:4`, `${visitor(2)}:5`, `${visitor(3)}:6`, `${visitor(4)}:3`].sort(),
    );
    // The list hears it: the gone lead, and the new row of the one folded again.
    expect(changes.flatMap((c) => c.gone)).toEqual([visitor(1)]);
    expect(changes.flatMap((c) => c.rows.map((r) => r.id))).toEqual([visitor(3)]);
  });

  it('is idempotent: sweeping again, or to the same horizon after a reopen, changes nothing', async () => {
    const { db, p } = await opened(tagged);
    await p.ingest(LOG, 6, { live: false });
    await p.sweep(horizon, 7);
    const leads = await db.leads.toArray();
    const events = await storedEvents(db);
    expect(await p.sweep(horizon, 7)).toEqual({ removed: 0, revived: 0, events: 0 });
    const again = new Projection(db, tagged);
    await again.open();
    await again.sweep(horizon, 7);
    expect(await db.leads.toArray()).toEqual(leads);
    expect(await storedEvents(db)).toEqual(events);
  });

  it('keeps, whole, a lead a teammate tagged while the sweep was deciding', async () => {
    // The tag lands between the sweep's reading of the facts and its writing.
    let asked = 0;
    const { db, p } = await opened((id) =>
      id === visitor(1) && ++asked > 1 ? { ...NO_TEAM_FACTS, tags: ['vip'] } : NO_TEAM_FACTS,
    );
    await p.ingest(LOG, 6, { live: false });
    const result = await p.sweep(horizon, 7);
    expect(await db.leads.get(visitor(1))).toBeDefined();
    expect(await storedEvents(db)).toContain(`${visitor(1)}:1`);
    expect(result.removed).toBe(1);
  });

  it('marks facts from before the horizon that come in late, with them, to be swept again', async () => {
    const { db, p } = await opened();
    p.horizon = horizon;
    let late = 0;
    p.on('late', () => late++);
    await p.ingest([logged(1, 1, T0 - DAY_MS)], 1, { live: true });
    expect(late).toBe(0);
    expect(await readMeta(db, 'sweepAgain', false)).toBe(false);
    await p.ingest([logged(2, 5, horizon - 1)], 2, { live: false });
    expect(late).toBe(1);
    expect(await readMeta(db, 'sweepAgain', false)).toBe(true);
    await p.sweep(horizon, 7);
    expect(await readMeta(db, 'sweepAgain', false)).toBe(false);
    expect(await db.leads.get(visitor(5))).toBeUndefined();
  });
});
