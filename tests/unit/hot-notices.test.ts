import { describe, expect, it } from 'vitest';
import { HOT_NOTICES_AT_ONCE, hotNotices } from '../../src/app/shell/hot-notices.ts';
import type { ScoredRow } from '../../src/core/lead.ts';

function row(id: string, score: number, sourceDomain = 'linkedin.com'): ScoredRow {
  return {
    id,
    displayName: `Lead ${id}`,
    generatedName: `Lead ${id}`,
    stage: 'L1',
    scoring: { signals: 0, pages: [] },
    score,
    band: 'Hot',
    sourceDomain,
    channel: 'Paid Social',
    firstSeen: 1,
    source: 'linkedin',
    campaign: '',
    landing: '/',
    lastActivity: 1,
    assignee: '',
    tags: [],
    visitorMessageTimes: [],
    readBy: {},
    unread: 0,
    rev: 1,
  };
}

describe('hot lead notifications', () => {
  it('tells of each lead when a few turn hot, opening that lead', () => {
    expect(hotNotices([row('a', 75), row('b/c', 90, '')])).toEqual([
      {
        title: 'Lead b/c is hot',
        body: 'Score 90 · Direct',
        tag: 'hot-b/c',
        href: '#/leads/b%2Fc',
      },
      { title: 'Lead a is hot', body: 'Score 75 · linkedin.com', tag: 'hot-a', href: '#/leads/a' },
    ]);
    expect(hotNotices([])).toEqual([]);
  });

  it('tells of the hottest few and sums up the rest when many turn hot at once', () => {
    const many = Array.from({ length: 1_000 }, (_, i) => row(`l${String(i)}`, 70 + (i % 30)));
    const notices = hotNotices(many);
    expect(notices).toHaveLength(HOT_NOTICES_AT_ONCE);
    expect(notices.slice(0, -1).map((n) => n.body)).toEqual([
      'Score 99 · linkedin.com',
      'Score 99 · linkedin.com',
    ]);
    expect(notices.at(-1)).toEqual({
      title: '998 more leads are hot',
      body: 'Open Leads, sorted by score, to see them all.',
      tag: 'hot-many',
      href: '#/leads',
    });
  });
});
