import { describe, expect, it } from 'vitest';
import { LeadList } from '../../src/core/lead-list.ts';
import { NO_FILTERS, type ListEntry, type ListQuery } from '../../src/core/list-query.ts';
import {
  DEFAULT_RULES,
  SIGNAL_BIT,
  SIGNALS,
  type ScoreFacts,
  type ScoringRules,
} from '../../src/core/scoring.ts';
import { STAGES, type Stage } from '../../src/core/stage.ts';
import { prng } from '../prng.ts';

/** Score facts worth `score` points under the default rules: some of the signals fired. */
function factsWorth(score: number): ScoreFacts {
  for (let mask = 0; mask < 1 << SIGNALS.length; mask++) {
    const facts: ScoreFacts = { signals: 0, pages: [] };
    let total = 0;
    SIGNALS.forEach(({ id }, i) => {
      if ((mask & (1 << i)) === 0) return;
      total += DEFAULT_RULES.points[id];
      if (id === 'highIntentPage') facts.pages = ['/pricing/'];
      else facts.signals |= SIGNAL_BIT[id];
    });
    if (total === score) return facts;
  }
  throw new Error(`no signals are worth ${String(score)}`);
}

function entry(
  id: string,
  lastActivity: number,
  score: number,
  stage: Stage,
  assignee = '',
  tags: string[] = [],
  displayName = `Lead ${id}`,
  sourceDomain = 'google.com',
): ListEntry {
  const scoring = factsWorth(score);
  return {
    id,
    lastActivity,
    scoring,
    stage,
    assignee,
    tags,
    displayName,
    sourceDomain,
    // First seen a while before its last activity; campaigns and landing pages by name.
    firstSeen: lastActivity - 50,
    source: sourceDomain.split('.')[0] ?? '',
    campaign: sourceDomain === 'linkedin.com' ? 'linkedin / paid_social / launch' : '',
    landing: stage === 'L1' ? '/' : '/pricing/',
  };
}

const list = new LeadList();
list.upsert([
  entry('a', 100, 40, 'L1'),
  entry('b', 300, 80, 'L2', 'ada', ['vip']),
  entry('c', 200, 60, 'L2', '', ['vip', 'enterprise'], 'Grace Hopper', 'linkedin.com'),
  entry('d', 400, 90, 'L3', 'grace', ['enterprise']),
  entry('e', 500, 70, 'L4', 'ada', ['vip']),
  entry('f', 250, 20, 'L1', 'ada'),
]);

const q = (over: Partial<ListQuery> = {}): ListQuery => ({
  ...NO_FILTERS,
  kind: 'leads',
  sort: 'activity',
  me: 'ada',
  ...over,
});

describe('the lead list index', () => {
  it('keeps leads of an origin: first seen in a period, a source, a campaign, a landing page', () => {
    const ids = (origin: ListQuery['origin'], over: Partial<ListQuery> = {}) =>
      list.query(q({ origin, ...over })).ids;
    // First seen: a 50, b 250, c 150, d 350, e 450, f 200 (e is a customer).
    expect(ids({ from: 150, to: 250 })).toEqual(['f', 'c']);
    expect(ids({ from: 350 })).toEqual(['d']);
    expect(ids({ source: 'linkedin' })).toEqual(['c']);
    expect(ids({ campaign: 'linkedin / paid_social / launch' })).toEqual(['c']);
    expect(ids({ landing: '/pricing/' })).toEqual(['d', 'b', 'c']);
    expect(ids({ landing: '/pricing/', from: 0, to: 260 })).toEqual(['b', 'c']);
    // The counts follow the origin too.
    expect(list.query(q({ origin: { landing: '/' } })).counts.stages).toEqual({
      L1: 2,
      L2: 0,
      L3: 0,
      L4: 0,
    });
  });

  it('keeps the leads of one score band', () => {
    // Scores: a 40, b 80, c 60, d 90, f 20 (e is a customer).
    expect(list.query(q({ band: 'Hot' })).ids).toEqual(['d', 'b']);
    expect(list.query(q({ band: 'Warm' })).ids).toEqual(['c']);
    expect(list.query(q({ band: 'Cold' })).ids).toEqual(['f', 'a']);
  });

  it('lists customers among leads only when the stage filter names them', () => {
    expect(list.query(q()).ids).not.toContain('e');
    expect(list.query(q({ stages: ['L2', 'L3', 'L4'] })).ids).toEqual(['e', 'd', 'b', 'c']);
    expect(list.query(q({ stages: ['L4'] })).ids).toEqual(['e']);
  });

  it('lists leads (never customers) newest first, or by score', () => {
    expect(list.query(q()).ids).toEqual(['d', 'b', 'f', 'c', 'a']);
    expect(list.query(q({ sort: 'score' })).ids).toEqual(['d', 'b', 'c', 'a', 'f']);
  });

  it('lists the Inbox: contacted leads and customers', () => {
    expect(list.query(q({ kind: 'inbox' })).ids).toEqual(['e', 'd']);
  });

  it.each<[string, Partial<ListQuery>, string[]]>([
    ['assigned to me', { assignment: 'me' }, ['b', 'f']],
    ['unassigned', { assignment: 'unassigned' }, ['c', 'a']],
    ['stage L2', { stages: ['L2'] }, ['b', 'c']],
    ['stage L1 or L3', { stages: ['L1', 'L3'] }, ['d', 'f', 'a']],
    ['tag vip', { tags: ['vip'] }, ['b', 'c']],
    ['tag vip or enterprise', { tags: ['vip', 'enterprise'] }, ['d', 'b', 'c']],
    ['L2, unassigned', { stages: ['L2'], assignment: 'unassigned' }, ['c']],
    ['L2, mine, vip', { stages: ['L2'], assignment: 'me', tags: ['vip'] }, ['b']],
    ['search by name', { search: 'grace' }, ['c']],
    ['search by source domain', { search: 'LINKEDIN' }, ['c']],
    ['search by tag', { search: 'enterp' }, ['d', 'c']],
    ['search and filter', { search: 'google', stages: ['L1'] }, ['f', 'a']],
  ])('filters: %s', (_name, over, ids) => {
    expect(list.query(q(over)).ids).toEqual(ids);
  });

  it('counts each option under the other filters', () => {
    const { counts } = list.query(q({ stages: ['L2'] }));
    // Assignment counts among L2 leads; stage counts ignore the stage filter itself.
    expect(counts.assignment).toEqual({ all: 2, me: 1, unassigned: 1 });
    expect(counts.stages).toEqual({ L1: 2, L2: 2, L3: 1, L4: 0 });
    expect(counts.tags).toEqual({ vip: 2, enterprise: 1 });
  });

  it('follows changes and removals', () => {
    const changing = new LeadList();
    changing.upsert([entry('x', 1, 10, 'L1'), entry('y', 2, 20, 'L1')]);
    expect(changing.query(q()).ids).toEqual(['y', 'x']);
    changing.upsert([entry('x', 3, 10, 'L2', 'ada')]);
    expect(changing.query(q()).ids).toEqual(['x', 'y']);
    expect(changing.query(q({ assignment: 'me' })).ids).toEqual(['x']);
    changing.remove(['x']);
    expect(changing.query(q()).ids).toEqual(['y']);
    expect(changing.size).toBe(1);
  });

  it('searches what changed after the first search, and forgets what went', () => {
    const changing = new LeadList();
    changing.upsert([entry('x', 1, 10, 'L1'), entry('y', 2, 10, 'L1')]);
    expect(changing.query(q({ search: 'lead x' })).ids).toEqual(['x']);
    changing.upsert([entry('x', 1, 10, 'L2', '', ['vip'], 'Ada Lovelace')]);
    expect(changing.query(q({ search: 'lead x' })).ids).toEqual([]);
    expect(changing.query(q({ search: 'lovelace' })).ids).toEqual(['x']);
    expect(changing.query(q({ search: 'vip' })).ids).toEqual(['x']);
    changing.remove(['x']);
    expect(changing.query(q({ search: 'lovelace' })).ids).toEqual([]);
    changing.clear();
    changing.upsert([entry('z', 3, 10, 'L1', '', [], 'Grace')]);
    expect(changing.query(q({ search: 'grace' })).ids).toEqual(['z']);
  });

  it('re-scores every lead when the rules change, and sorts by the new scores', () => {
    const rescored = new LeadList();
    // a: paid ad (25) and UTM (10); b: the pricing page (25) and a name (10) and country (5).
    rescored.upsert([
      {
        ...entry('a', 1, 0, 'L1'),
        scoring: { signals: SIGNAL_BIT.paidAds | SIGNAL_BIT.hasUtm, pages: ['/'] },
      },
      {
        ...entry('b', 2, 0, 'L2'),
        scoring: {
          signals: SIGNAL_BIT.providedName | SIGNAL_BIT.timezoneCountry,
          pages: ['/', '/en/pricing/'],
        },
      },
    ]);
    expect(rescored.query(q({ sort: 'score' })).ids).toEqual(['b', 'a']);
    expect([rescored.scoreOf('a'), rescored.scoreOf('b')]).toEqual([35, 40]);
    const adsMatter: ScoringRules = {
      highIntentPaths: ['demo'],
      points: { ...DEFAULT_RULES.points, paidAds: 60 },
    };
    rescored.useRules(adsMatter);
    expect([rescored.scoreOf('a'), rescored.scoreOf('b')]).toEqual([70, 15]);
    expect(rescored.query(q({ sort: 'score' })).ids).toEqual(['a', 'b']);
    // A lead arriving later is scored with the rules in force.
    rescored.upsert([{ ...entry('c', 3, 0, 'L1'), scoring: { signals: 0, pages: ['/demo/'] } }]);
    expect(rescored.scoreOf('c')).toBe(25);
  });

  it('answers as a plain filter and sort would, through changes, removals and many tags', () => {
    const random = prng(2026);
    const pick = <T>(from: readonly T[]): T => from[Math.floor(random() * from.length)] as T;
    // More tags than have a bit of their own, so some leads are matched by name.
    const tagNames = Array.from({ length: 40 }, (_, i) => `tag${String(i)}`);
    const members = ['ada', 'grace', 'linus'];
    const scores = [0, 20, 40, 60, 70, 80, 90];
    const made = (id: string): ListEntry => {
      const tagged = new Set<string>();
      for (let n = Math.floor(random() * 3); n > 0; n--) tagged.add(pick(tagNames));
      return entry(
        id,
        Math.floor(random() * 50),
        pick(scores),
        pick(STAGES),
        random() < 0.4 ? '' : pick(members),
        [...tagged],
      );
    };
    const live = new LeadList();
    const reference = new Map<string, ListEntry>();
    let next = 0;
    const put = (entries: ListEntry[]): void => {
      live.upsert(entries);
      for (const e of entries) reference.set(e.id, e);
    };
    put(Array.from({ length: 2_000 }, () => made(`l${String(next++)}`)));

    const expected = (query: ListQuery): string[] => {
      const score = (e: ListEntry): number => live.scoreOf(e.id) ?? -1;
      const rows = [...reference.values()].filter((e) => {
        const listed =
          query.kind === 'inbox'
            ? e.stage === 'L3' || e.stage === 'L4'
            : e.stage !== 'L4' || query.stages.includes('L4');
        const assigned =
          query.assignment === 'all' ||
          (query.assignment === 'me' ? e.assignee === query.me : e.assignee === '');
        return (
          listed &&
          assigned &&
          (query.stages.length === 0 || query.stages.includes(e.stage)) &&
          (query.tags.length === 0 || e.tags.some((t) => query.tags.includes(t)))
        );
      });
      const byActivity = (a: ListEntry, b: ListEntry): number =>
        b.lastActivity - a.lastActivity || (a.id < b.id ? -1 : 1);
      rows.sort(
        query.sort === 'activity' ? byActivity : (a, b) => score(b) - score(a) || byActivity(a, b),
      );
      return rows.map((e) => e.id);
    };

    for (let round = 0; round < 40; round++) {
      // A few changes at a time (merged into the orders), now and then many (sorted again).
      const n = round % 10 === 9 ? 800 : 1 + Math.floor(random() * 60);
      const ids = [...reference.keys()];
      const changes: ListEntry[] = [];
      const gone: string[] = [];
      for (let i = 0; i < n; i++) {
        const r = random();
        if (r < 0.3) changes.push(made(`l${String(next++)}`));
        else if (r < 0.7) changes.push(made(pick(ids)));
        else gone.push(pick(ids));
      }
      put(changes);
      live.remove(gone);
      for (const id of gone) reference.delete(id);
      for (const sort of ['activity', 'score'] as const) {
        const query = q({
          sort,
          kind: random() < 0.2 ? 'inbox' : 'leads',
          assignment: pick(['all', 'me', 'unassigned'] as const),
          stages: random() < 0.5 ? [] : [pick(STAGES), pick(STAGES)],
          // A tag no lead ever had matches nothing.
          tags: random() < 0.3 ? [] : [pick(tagNames), pick([...tagNames.slice(30), 'nobody'])],
        });
        const result = live.query(query);
        expect(result.ids).toEqual(expected(query));
        // Each tag's count: the leads listed under the other filters that carry it.
        const counted: Record<string, number> = {};
        for (const id of expected({ ...query, tags: [] })) {
          for (const tag of reference.get(id)?.tags ?? []) counted[tag] = (counted[tag] ?? 0) + 1;
        }
        expect(result.counts.tags).toEqual(counted);
      }
      expect(live.size).toBe(reference.size);
    }
  });
});
