/**
 * The retention rule (core/sweep.ts): which leads a sweep removes, keeps or folds again from
 * what they keep, for every stage and team fact and for quiet stretches; and the horizon.
 */
import { describe, expect, it } from 'vitest';
import type { LoggedChat, LoggedPageView } from '../../src/core/facts.ts';
import { NO_TEAM_FACTS, type TeamFacts } from '../../src/core/lead.ts';
import {
  byTime,
  CLOCK_SLACK_MS,
  DAY_MS,
  eventTime,
  horizonOf,
  momentOf,
  reachOf,
  sweptThrough,
  verdictOf,
} from '../../src/core/sweep.ts';
import { pageView } from '../page-view.ts';

const NOW = 100 * DAY_MS;
/** Retention of 7 days: the horizon is a week (and a clock's slack) back. */
const H = reachOf(NOW, 7);
const VISITOR = 'visitor000000000001';
let seq = 0;

const view = (receivedAt: number): LoggedPageView => ({
  ...pageView({ id: `event${String(++seq).padStart(16, '0')}`, visitorId: VISITOR, at: 5 }),
  seq,
  receivedAt,
});

const chat = (kind: 'name' | 'message', receivedAt: number): LoggedChat => {
  const common = {
    id: `chat${String(++seq).padStart(17, '0')}`,
    visitorId: VISITOR,
    at: 5,
    mailbox: 'mailbox_abcdefghijklmnop',
    seq,
    receivedAt,
    from: 'K'.repeat(87),
  };
  return kind === 'name' ? { ...common, kind, name: 'Rosa' } : { ...common, kind, text: 'Hi' };
};

function verdict(events: (LoggedPageView | LoggedChat)[], team: Partial<TeamFacts> = {}) {
  const moments = events.map(momentOf).sort(byTime);
  const through = sweptThrough(moments, H, 7);
  return verdictOf(moments, through, { ...NO_TEAM_FACTS, ...team });
}

describe('the retention rule', () => {
  const old = H - 30 * DAY_MS;
  const cases: [string, (LoggedPageView | LoggedChat)[], Partial<TeamFacts>, string][] = [
    ['L1, quiet since before the horizon', [view(old), view(H - DAY_MS)], {}, 'gone'],
    ['L1, its last visit exactly at the horizon', [view(H)], {}, 'gone'],
    ['L1, active after the horizon only', [view(H + 1)], {}, 'keep'],
    // Never quiet for a week: it keeps every visit, however old the first.
    [
      'L1, visiting every few days since long ago',
      [0, 5, 10, 15, 20, 25, 31].map((d) => view(old + d * DAY_MS)),
      {},
      'keep',
    ],
    ['L1, came back after a quiet week', [view(old), view(H + 1)], {}, 'revived'],
    [
      'L1, came back after six quiet days only',
      [view(H - 3 * DAY_MS), view(H + 3 * DAY_MS)],
      {},
      'keep',
    ],
    ['L2: named before going quiet', [view(old), chat('name', old + 1)], {}, 'keep'],
    ['L3: wrote before going quiet', [view(old), chat('message', old + 1)], {}, 'keep'],
    // Swept while it was a quiet L1; what the visitor did on coming back stays.
    ['named only after coming back', [view(old), view(H + 1), chat('name', H + 2)], {}, 'revived'],
    ['assigned', [view(old)], { assignee: 'member1' }, 'keep'],
    ['tagged', [view(old)], { tags: ['vip'] }, 'keep'],
    ['a customer', [view(old)], { customer: true }, 'keep'],
    ['written to by the team', [view(old)], { messaged: true }, 'keep'],
    ['blocked', [view(old)], { blockedAfter: 3 }, 'keep'],
    ['nothing at all', [], {}, 'keep'],
  ];
  for (const [name, events, team, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      expect(verdict(events, team)).toBe(expected);
    });
  }

  it('drops only what came before the quiet stretch of a visitor who came back', () => {
    const events = [
      view(H - 20 * DAY_MS),
      view(H - 19 * DAY_MS),
      view(H - 2 * DAY_MS),
      view(H + 5),
    ];
    const moments = events.map(momentOf).sort(byTime);
    expect(sweptThrough(moments, H, 7)).toEqual(moments[1]);
  });

  it('times an event by the relay, not by the visitor’s clock (older facts: the visitor’s)', () => {
    const e = view(H + 50);
    expect(eventTime({ ...e, at: 1 })).toBe(H + 50);
    const older: LoggedPageView = { ...e };
    delete older.receivedAt;
    expect(eventTime(older)).toBe(e.at);
  });
});

describe('the horizon', () => {
  it('is a clock’s slack short of the retention period back', () => {
    expect(reachOf(NOW, 1)).toBe(NOW - DAY_MS - CLOCK_SLACK_MS);
  });

  it('is the furthest sweep any member recorded, 0 when none did', () => {
    expect(horizonOf([], reachOf(NOW, 7))).toBe(0);
    const records = [
      { upTo: H - 5_000, at: 1 },
      { upTo: H - 9_000, at: 2 },
    ];
    expect(horizonOf(records, H)).toBe(H - 5_000);
  });

  it('never reaches beyond this browser’s own reach (a teammate’s clock may run ahead)', () => {
    expect(horizonOf([{ upTo: H + DAY_MS, at: 1 }], H)).toBe(H);
  });

  it('ignores records that are not numbers (a teammate wrote them)', () => {
    const bad = [
      { upTo: Number.NaN, at: 1 },
      { upTo: '5' as unknown as number, at: 1 },
    ];
    expect(horizonOf(bad, H)).toBe(0);
  });
});
