/**
 * When sweeps run (src/team/sweeper.ts), on fake time and a real projection (fake-indexeddb):
 * never while intake is still reading the log; once it has, to this member's reach, recorded in
 * the team doc; to a teammate's record within reach; again after late facts, also across a
 * reopen; and every hour.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LastSweep } from '../../src/contracts/team.ts';
import type { Timers } from '../../src/contracts/time.ts';
import { randomId } from '../../src/core/bytes.ts';
import type { LoggedPageView } from '../../src/core/facts.ts';
import { NO_TEAM_FACTS } from '../../src/core/lead.ts';
import { DAY_MS, reachOf } from '../../src/core/sweep.ts';
import { sweeps } from '../../src/core/team-doc.ts';
import { WorkspaceDb } from '../../src/data/db.ts';
import { Projection } from '../../src/team/projection.ts';
import { SWEEP_EVERY_MS, Sweeper } from '../../src/team/sweeper.ts';
import { pageView } from '../page-view.ts';

/** Timers that fire only when told to. */
function fakeTime(start: number) {
  let now = start;
  let next = 1;
  const pending = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    setTimeout: (run, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout: (id) => {
      pending.delete(id as number);
    },
  };
  return {
    clock: { now: () => now },
    timers,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending]) {
        if (t.at <= now) {
          pending.delete(id);
          t.run();
        }
      }
    },
  };
}

const NOW = 500 * DAY_MS;
const visitor = (n: number): string => `visitor${String(n).padStart(15, '0')}`;
const logged = (seq: number, who: number, receivedAt: number): LoggedPageView => ({
  ...pageView({ id: `event${String(seq).padStart(17, '0')}`, visitorId: visitor(who), at: 5 }),
  seq,
  receivedAt,
});

async function setUp(db = new WorkspaceDb(randomId()), doc = new Y.Doc()) {
  const time = fakeTime(NOW);
  const projection = new Projection(db, () => NO_TEAM_FACTS);
  await projection.open();
  const statuses: (LastSweep | undefined)[] = [];
  const sweeper = new Sweeper({
    doc,
    memberId: 'member1',
    db,
    projection,
    retention: () => 7,
    status: (patch) => {
      if ('sweep' in patch) statuses.push(patch.sweep);
    },
    fail: (err) => {
      throw err;
    },
    ...time,
  });
  await sweeper.start();
  return { db, doc, time, projection, sweeper, statuses };
}

describe('the sweeper', () => {
  it('waits until intake has read the whole log, then sweeps to its reach and records it', async () => {
    const { db, doc, projection, sweeper, statuses } = await setUp();
    await projection.ingest([logged(1, 1, NOW - 30 * DAY_MS), logged(2, 2, NOW - DAY_MS)], 2, {
      live: false,
    });
    sweeper.check();
    await sweeper.settled();
    expect(await db.leads.count()).toBe(2);
    expect(sweeps(doc).size).toBe(0);

    sweeper.intake(true);
    await sweeper.settled();
    expect((await db.leads.toArray()).map((l) => l.id)).toEqual([visitor(2)]);
    expect(sweeps(doc).get('member1')?.upTo).toBe(reachOf(NOW, 7));
    expect(statuses.at(-1)).toMatchObject({ removed: 1, total: 1, horizon: reachOf(NOW, 7) });
    sweeper.stop();
  });

  it('sweeps to a teammate’s record, but never beyond its own reach', async () => {
    const { db, doc, projection, sweeper } = await setUp();
    sweeper.intake(true);
    await sweeper.settled();
    // A visit that is quiet for a week only if a teammate's clock runs a day ahead.
    await projection.ingest([logged(1, 1, reachOf(NOW, 7) + 12 * 3_600_000)], 1, { live: true });
    sweeps(doc).set('member2', { upTo: reachOf(NOW + DAY_MS, 7), at: NOW + DAY_MS });
    await sweeper.settled();
    expect(await db.leads.count()).toBe(1);
    sweeper.stop();
  });

  it('sweeps again every hour, as the horizon moves on', async () => {
    const { db, time, projection, sweeper } = await setUp();
    sweeper.intake(true);
    await sweeper.settled();
    // Quiet for just under a week now: kept; two hours later, past it.
    await projection.ingest([logged(1, 1, reachOf(NOW, 7) + 5_400_000)], 1, { live: true });
    time.advance(SWEEP_EVERY_MS);
    await sweeper.settled();
    expect(await db.leads.count()).toBe(1);
    time.advance(SWEEP_EVERY_MS);
    await sweeper.settled();
    expect(await db.leads.count()).toBe(0);
    sweeper.stop();
  });

  it('sweeps late facts again, even when the tab closed before it could', async () => {
    const first = await setUp();
    first.sweeper.intake(true);
    await first.sweeper.settled();
    // Old facts come in late (a teammate's snapshot, say); the tab closes before the sweep
    // that follows them.
    await first.projection.ingest([logged(1, 1, NOW - 30 * DAY_MS)], 1, { live: false });
    first.sweeper.stop();
    expect(await first.db.leads.count()).toBe(1);

    const again = await setUp(first.db, first.doc);
    again.sweeper.intake(true);
    await again.sweeper.settled();
    expect(await again.db.leads.count()).toBe(0);
    again.sweeper.stop();
  });
});
