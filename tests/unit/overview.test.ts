/**
 * The Overview's figures from leads with known stages, channels, campaigns and days: the funnel
 * and its rates, the days by channel, the bands, the ranked tables; period edges and the
 * viewer's day; counting lead by lead equals counting all at once.
 */
import { describe, expect, it } from 'vitest';
import {
  lastDays,
  localDay,
  nextDay,
  OverviewIndex,
  type OverviewEntry,
} from '../../src/core/overview.ts';
import type { Band } from '../../src/core/scoring.ts';
import { prng } from '../prng.ts';

const DAY = 86_400_000;
/** Days on a UTC clock, so the figures do not depend on this machine's zone. */
const utcDay = (at: number): number => at - (at % DAY);
const D0 = Date.UTC(2026, 10, 1);

function lead(over: Partial<OverviewEntry> = {}): OverviewEntry {
  return {
    firstSeen: D0 + 3_600_000,
    stage: 'L1',
    channel: 'Direct',
    source: 'Direct',
    campaign: '',
    landing: '/',
    ...over,
  };
}

const SPRING = lead({
  channel: 'Paid Social',
  source: 'linkedin',
  campaign: 'linkedin / paid_social / spring',
  landing: '/pricing/',
});
const FALL = lead({
  channel: 'Paid Search',
  source: 'google',
  campaign: 'google / cpc / fall',
  landing: '/blog/',
});

function indexOf(leads: [OverviewEntry, Band][]): OverviewIndex {
  const index = new OverviewIndex(utcDay);
  for (const [entry, band] of leads) index.count(entry, band, 1);
  return index;
}

describe('the Overview', () => {
  const leads: [OverviewEntry, Band][] = [
    [SPRING, 'Warm'],
    [{ ...SPRING, stage: 'L2', firstSeen: D0 + DAY }, 'Warm'],
    [{ ...SPRING, stage: 'L4', firstSeen: D0 + DAY + 5 }, 'Hot'],
    [FALL, 'Cold'],
    [{ ...FALL, stage: 'L3', firstSeen: D0 + 2 * DAY }, 'Hot'],
    [lead({ firstSeen: D0 + 2 * DAY + 1 }), 'Cold'],
  ];
  const period = { from: D0, to: D0 + 3 * DAY };

  it('counts the funnel with the rate of each step, and the conversion', () => {
    const figures = indexOf(leads).figures(period);
    expect(figures.leads).toBe(6);
    expect(figures.funnel).toEqual([
      { stage: 'L1', reached: 6, rate: null },
      { stage: 'L2', reached: 3, rate: 0.5 },
      { stage: 'L3', reached: 2, rate: 2 / 3 },
      { stage: 'L4', reached: 1, rate: 0.5 },
    ]);
    expect(figures.conversion).toBe(1 / 6);
    expect(figures.bands).toEqual({ Hot: 2, Warm: 2, Cold: 2 });
  });

  it('gives every day of the period its new leads by channel, empty days too', () => {
    const figures = indexOf(leads).figures({ from: D0 - DAY, to: D0 + 4 * DAY });
    expect(figures.days).toEqual([
      { day: D0 - DAY, channels: {} },
      { day: D0, channels: { 'Paid Social': 1, 'Paid Search': 1 } },
      { day: D0 + DAY, channels: { 'Paid Social': 2 } },
      { day: D0 + 2 * DAY, channels: { 'Paid Search': 1, Direct: 1 } },
      { day: D0 + 3 * DAY, channels: {} },
    ]);
  });

  it('ranks sources, campaigns and landing pages by leads, with how far they got', () => {
    const figures = indexOf(leads).figures(period);
    expect(figures.campaigns).toEqual([
      {
        key: 'linkedin / paid_social / spring',
        leads: 3,
        engaged: 2,
        contacted: 1,
        customers: 1,
        rate: 1 / 3,
      },
      { key: 'google / cpc / fall', leads: 2, engaged: 1, contacted: 1, customers: 0, rate: 0 },
    ]);
    expect(figures.sources.map((r) => [r.key, r.leads])).toEqual([
      ['linkedin', 3],
      ['google', 2],
      ['Direct', 1],
    ]);
    // Untagged visits have no campaign, but a landing page.
    expect(figures.landings.map((r) => [r.key, r.leads, r.customers])).toEqual([
      ['/pricing/', 3, 1],
      ['/blog/', 2, 0],
      ['/', 1, 0],
    ]);
  });

  it('counts a lead in the period of its first day only: from is in, to is out', () => {
    const index = indexOf(leads);
    expect(index.figures({ from: D0 + DAY, to: D0 + 2 * DAY }).leads).toBe(2);
    expect(index.figures({ from: D0 + 3 * DAY, to: D0 + 9 * DAY }).leads).toBe(0);
    const empty = index.figures({ from: D0 + 3 * DAY, to: D0 + 4 * DAY });
    expect(empty.funnel.map((s) => s.rate)).toEqual([null, null, null, null]);
    expect(empty.conversion).toBeNull();
  });

  it("puts a lead on the viewer's day: 23:30 UTC is the next day in Tokyo", () => {
    const tokyo = (at: number): number => utcDay(at + 9 * 3_600_000) - 9 * 3_600_000;
    const late = lead({ firstSeen: D0 + 23.5 * 3_600_000 });
    const inUtc = new OverviewIndex(utcDay);
    const inTokyo = new OverviewIndex(tokyo);
    inUtc.count(late, 'Cold', 1);
    inTokyo.count(late, 'Cold', 1);
    expect(inUtc.figures({ from: D0, to: D0 + DAY }).leads).toBe(1);
    const tokyoDay = D0 + DAY - 9 * 3_600_000;
    expect(inTokyo.figures({ from: tokyoDay, to: tokyoDay + DAY }).leads).toBe(1);
    expect(inTokyo.figures({ from: tokyoDay - DAY, to: tokyoDay }).leads).toBe(0);
  });

  it('asks for a day once per quarter hour, and keeps a day that starts at a quarter hour', () => {
    // Nepal's clock, 5:45 ahead of UTC: its days start at 18:15 UTC.
    let asked = 0;
    const nepal = (at: number): number => {
      asked++;
      const offset = 5.75 * 3_600_000;
      return utcDay(at + offset) - offset;
    };
    const index = new OverviewIndex(nepal);
    const dayStart = D0 + DAY - 5.75 * 3_600_000;
    for (let i = 1; i <= 1_000; i++) index.count(lead({ firstSeen: dayStart - i }), 'Cold', 1);
    for (let i = 0; i < 1_000; i++) index.count(lead({ firstSeen: dayStart + i }), 'Cold', 1);
    expect(asked).toBe(2);
    expect(index.figures({ from: dayStart - DAY, to: dayStart }).leads).toBe(1_000);
    expect(index.figures({ from: dayStart, to: dayStart + DAY }).leads).toBe(1_000);
  });

  it('takes periods of whole local days, today included', () => {
    const now = Date.now();
    const week = lastDays(7, now);
    expect(week.from).toBe(localDay(week.from));
    expect(week.to).toBe(nextDay(localDay(now)));
    let days = 0;
    for (let day = week.from; day < week.to; day = nextDay(day)) days++;
    expect(days).toBe(7);
    expect(now).toBeGreaterThanOrEqual(week.from);
    expect(now).toBeLessThan(week.to);
  });

  it('counted change by change equals counted at once', () => {
    const random = prng(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const current = new Map<number, [OverviewEntry, Band]>();
    const live = new OverviewIndex(utcDay);
    for (let step = 0; step < 5_000; step++) {
      const id = Math.floor(random() * 400);
      const old = current.get(id);
      if (old) live.count(old[0], old[1], -1);
      if (random() < 0.1) {
        current.delete(id);
        continue;
      }
      const next: [OverviewEntry, Band] = [
        lead({
          firstSeen: D0 + Math.floor(random() * 20 * DAY),
          stage: pick(['L1', 'L2', 'L3', 'L4'] as const),
          channel: pick(['Direct', 'Paid Social', 'Email'] as const),
          source: pick(['Direct', 'linkedin', 'google']),
          campaign: pick(['', 'a / b / c', 'x / y / z']),
          landing: pick(['/', '/pricing/', '/blog/']),
        }),
        pick(['Hot', 'Warm', 'Cold'] as const),
      ];
      current.set(id, next);
      live.count(next[0], next[1], 1);
    }
    const whole = indexOf([...current.values()]);
    for (const p of [
      { from: D0, to: D0 + 20 * DAY },
      { from: D0 + 3 * DAY, to: D0 + 10 * DAY },
    ]) {
      expect(live.figures(p)).toEqual(whole.figures(p));
    }
    expect(live.figures({ from: D0, to: D0 + 20 * DAY }).leads).toBe(current.size);
  });
});
