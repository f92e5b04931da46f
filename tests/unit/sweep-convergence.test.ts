/**
 * Retention sweeps converge (SPEC §11, §15): simulated browsers, each with its own store of
 * visitors' facts and leads (`Projection`, on IndexedDB), read one shared intake log from their
 * own cursors while visitors keep coming — some going quiet for longer than the retention
 * period and coming back, some giving their name — and sweep at random moments, each to the
 * horizon it has heard of from teammates' sweep records (passed on late, in any order). A
 * seeded random generator makes every run reproducible. Afterwards every browser must hold the
 * same leads, and they must be what the rule says of the whole log: no visitor who came back is
 * lost, nothing swept that the rule keeps.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { randomId } from '../../src/core/bytes.ts';
import type { LoggedEvent } from '../../src/core/facts.ts';
import { NO_TEAM_FACTS, type TeamFacts } from '../../src/core/lead.ts';
import {
  byTime,
  DAY_MS,
  horizonOf,
  momentOf,
  reachOf,
  sweptThrough,
  verdictOf,
  type SweepRecord,
} from '../../src/core/sweep.ts';
import { WorkspaceDb } from '../../src/data/db.ts';
import { Projection } from '../../src/team/projection.ts';
import { pageView } from '../page-view.ts';
import { prng } from '../prng.ts';

const RETENTION = 1;
const BROWSERS = 4;
const VISITORS = 25;
const visitor = (n: number): string => `visitor${String(n).padStart(15, '0')}`;
/** Leads a teammate tagged: never swept. */
const TAGGED = new Set([visitor(0), visitor(1)]);
const teamOf = (id: string): TeamFacts =>
  TAGGED.has(id) ? { ...NO_TEAM_FACTS, tags: ['vip'] } : NO_TEAM_FACTS;

interface Browser {
  db: WorkspaceDb;
  projection: Projection;
  /** The sweep records this browser has heard of (its own included). */
  records: Map<number, SweepRecord>;
}

async function simulate(seed: number, steps: number) {
  const random = prng(seed);
  const browsers: Browser[] = [];
  for (let i = 0; i < BROWSERS; i++) {
    const db = new WorkspaceDb(randomId());
    const projection = new Projection(db, teamOf);
    await projection.open();
    browsers.push({ db, projection, records: new Map() });
  }
  const log: LoggedEvent[] = [];
  const seen = new Set<string>();
  /** Sweep records on their way to teammates. */
  let gossip: { to: number; from: number; record: SweepRecord }[] = [];
  let now = 10 * DAY_MS;
  const counts = { sweeps: 0, removed: 0, revived: 0 };

  const sweep = async (i: number, b: Browser): Promise<void> => {
    const reach = reachOf(now, RETENTION);
    const mine = { upTo: reach, at: now };
    b.records.set(i, mine);
    for (let to = 0; to < BROWSERS; to++) if (to !== i) gossip.push({ to, from: i, record: mine });
    const horizon = horizonOf(b.records.values(), reach);
    b.projection.horizon = horizon;
    const result = await b.projection.sweep(horizon, RETENTION);
    counts.sweeps++;
    counts.removed += result.removed;
    counts.revived += result.revived;
  };

  for (let step = 0; step < steps; step++) {
    const r = random();
    const i = Math.floor(random() * BROWSERS);
    const b = browsers[i] as Browser;
    // Time goes on: mostly minutes, sometimes half a day.
    now += random() < 0.08 ? Math.floor(random() * DAY_MS) : Math.floor(random() * 3_600_000);
    if (r < 0.3) {
      const who = visitor(Math.floor(random() * VISITORS));
      const seq = log.length + 1;
      if (seen.has(who) && random() < 0.1) {
        log.push({
          kind: 'name',
          id: `chat${String(seq).padStart(18, '0')}`,
          visitorId: who,
          at: now,
          name: 'Rosa',
          mailbox: 'mailbox_abcdefghijklmnop',
          seq,
          receivedAt: now,
          from: 'K'.repeat(87),
        });
      } else {
        seen.add(who);
        const id = `event${String(seq).padStart(17, '0')}`;
        log.push({ ...pageView({ id, visitorId: who, at: now }), seq, receivedAt: now });
      }
    } else if (r < 0.6) {
      const from = b.projection.cursor;
      const upTo = Math.min(log.length, from + 1 + Math.floor(random() * 5));
      if (upTo > from) await b.projection.ingest(log.slice(from, upTo), upTo, { live: true });
    } else if (r < 0.66) {
      // A browser sweeps only once it has read the whole log (see core/sweep.ts): often it
      // catches up first, sometimes it is behind and waits.
      if (random() < 0.7 && b.projection.cursor < log.length) {
        await b.projection.ingest(log.slice(b.projection.cursor), log.length, { live: true });
      }
      if (b.projection.cursor === log.length) await sweep(i, b);
    } else if (gossip.length) {
      const [m] = gossip.splice(Math.floor(random() * gossip.length), 1);
      if (m) browsers[m.to]?.records.set(m.from, m.record);
    }
  }
  // Everyone hears everything, reads the whole log, and sweeps to the same horizon.
  for (const m of gossip) browsers[m.to]?.records.set(m.from, m.record);
  gossip = [];
  for (const b of browsers) {
    await b.projection.ingest(log.slice(b.projection.cursor), log.length, { live: false });
  }
  const reach = reachOf(now, RETENTION);
  const horizon = horizonOf(
    browsers.flatMap((b) => [...b.records.values()]),
    reach,
  );
  for (const b of browsers) {
    b.projection.horizon = horizon;
    await b.projection.sweep(horizon, RETENTION);
  }
  return { browsers, log, horizon, counts };
}

/** What the rule says of the whole log: each lead's page views kept. */
function expected(log: readonly LoggedEvent[], horizon: number): Map<string, number> {
  const byVisitor = new Map<string, LoggedEvent[]>();
  for (const e of log) byVisitor.set(e.visitorId, [...(byVisitor.get(e.visitorId) ?? []), e]);
  const out = new Map<string, number>();
  for (const [id, events] of byVisitor) {
    const moments = events.map(momentOf).sort(byTime);
    const through = sweptThrough(moments, horizon, RETENTION);
    const verdict = verdictOf(moments, through, teamOf(id));
    const kept = events.filter(
      (e) => verdict === 'keep' || !through || byTime(momentOf(e), through) > 0,
    );
    const views = kept.filter((e) => e.kind === 'pageview').length;
    if (views > 0) out.set(id, views);
  }
  return out;
}

describe('retention sweeps converge', () => {
  for (const seed of [1, 2, 3, 42, 2026]) {
    it(`every browser ends with the leads the rule says (seed ${String(seed)})`, async () => {
      const run = await simulate(seed, 1_500);
      const want = expected(run.log, run.horizon);
      for (const b of run.browsers) {
        const leads = await b.db.leads.toArray();
        const got = new Map(leads.map((l) => [l.id, l.facts.pageViews]));
        expect(got).toEqual(want);
        // What was swept left storage too: only kept events remain in the segments.
        const stored = (await b.projection.facts()).segments.length;
        expect(stored).toBeGreaterThan(0);
      }
      // The runs really swept, removed and revived, and kept visitors who came back.
      expect(run.counts.sweeps).toBeGreaterThan(30);
      expect(run.counts.removed).toBeGreaterThan(5);
      expect(run.counts.revived).toBeGreaterThan(0);
      expect(want.size).toBeGreaterThan(3);
      for (const b of run.browsers) b.db.close();
    }, 60_000);
  }
});
