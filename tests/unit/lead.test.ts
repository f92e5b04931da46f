import { describe, expect, it } from 'vitest';
import type { PageView } from '../../src/core/capture.ts';
import { generatedName } from '../../src/core/identity.ts';
import { foldPageViews, MAX_VISITS, originOf, type LeadFacts } from '../../src/core/lead.ts';
import { summarize } from '../../src/core/lead-detail.ts';
import { DEFAULT_RULES, SIGNAL_BIT } from '../../src/core/scoring.ts';

const VISITOR = 'visitor_abcdefghijklmn';
const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';

function view(n: number, at: number, url: string, over: Partial<PageView> = {}): PageView {
  return {
    kind: 'pageview',
    id: `event_${String(n).padStart(16, '0')}`,
    visitorId: VISITOR,
    at,
    url,
    title: `Page ${n}`,
    referrer: '',
    nav: 'load',
    tz: 'Europe/Berlin',
    languages: ['de-DE', 'en'],
    ua: CHROME_WIN,
    screen: [1920, 1080],
    viewport: [1280, 800],
    ...over,
  };
}

/** Seeded Fisher–Yates, so a failing order can be replayed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

const T0 = Date.UTC(2024, 0, 15, 9, 0);

const journey: PageView[] = [
  view(
    1,
    T0,
    'https://demo.example/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch',
  ),
  view(2, T0 + 60_000, 'https://demo.example/features', { referrer: 'https://demo.example/' }),
  view(3, T0 + 120_000, 'https://demo.example/pricing', {
    referrer: 'https://demo.example/features',
    nav: 'spa',
  }),
  // Same millisecond as event 3: the id breaks the tie.
  view(0, T0 + 120_000, 'https://demo.example/pricing#faq', { nav: 'spa' }),
  view(4, T0 + 86_400_000, 'https://demo.example/demo', {
    ua: SAFARI_IPHONE,
    tz: 'Europe/Stockholm',
    languages: ['sv-SE'],
    screen: [390, 844],
  }),
];

describe('foldPageViews', () => {
  it('gives nothing for no page views', () => {
    expect(foldPageViews([])).toBeUndefined();
  });

  it('keeps the first touch, the latest touch and the latest profile', () => {
    const facts = foldPageViews(journey);
    expect(facts).toMatchObject({
      visitorId: VISITOR,
      firstSeen: T0,
      lastSeen: T0 + 86_400_000,
      pageViews: 5,
      first: {
        url: 'https://demo.example/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch',
        referrer: '',
        at: T0,
        utm: { source: 'linkedin', medium: 'paid_social', campaign: 'launch' },
        clickIds: {},
      },
      latest: { url: 'https://demo.example/demo', at: T0 + 86_400_000, utm: {}, clickIds: {} },
      tz: 'Europe/Stockholm',
      languages: ['sv-SE'],
      ua: SAFARI_IPHONE,
      screen: [390, 844],
      named: false,
      messaged: false,
      customer: false,
    });
    expect(facts?.visits.map((v) => v.title)).toEqual([
      'Page 1',
      'Page 2',
      'Page 0',
      'Page 3',
      'Page 4',
    ]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'gives identical facts for a shuffled and duplicated event list (seed %d)',
    (seed) => {
      const expected = foldPageViews(journey);
      const noisy = shuffle(
        [...journey, ...shuffle(journey, seed + 100).slice(0, 3), journey[0] as PageView],
        seed,
      );
      expect(foldPageViews(noisy)).toEqual(expected);
    },
  );

  it('counts an event delivered twice once', () => {
    const e = view(1, T0, 'https://demo.example/');
    expect(foldPageViews([e, e, { ...e }])?.pageViews).toBe(1);
  });

  it('keeps one deterministic copy of a corrupt duplicate id whatever the order', () => {
    const a = view(1, T0, 'https://demo.example/a');
    const b = { ...a, url: 'https://demo.example/b' };
    expect(foldPageViews([a, b])).toEqual(foldPageViews([b, a]));
    expect(foldPageViews([b, a])?.first.url).toBe('https://demo.example/a');
  });

  it('ignores events of another visitor', () => {
    const other = view(9, T0 - 1, 'https://demo.example/other', {
      visitorId: 'someone_else_xxxxxxxxx',
    });
    const facts = foldPageViews(
      [view(1, T0, 'https://demo.example/'), other],
      foldPageViews([view(1, T0, 'https://demo.example/')]),
    );
    expect(facts?.pageViews).toBe(1);
  });

  it(`keeps the first visit and the most recent ${MAX_VISITS}, but counts them all`, () => {
    const many = Array.from({ length: 450 }, (_, i) =>
      view(i, T0 + i * 1000, `https://demo.example/p${i}`),
    );
    const facts = foldPageViews(shuffle(many, 3));
    expect(facts?.pageViews).toBe(450);
    expect(facts?.visits).toHaveLength(MAX_VISITS + 1);
    expect(facts?.visits[0]?.url).toBe('https://demo.example/p0');
    expect(facts?.visits[1]?.url).toBe('https://demo.example/p250');
    expect(facts?.visits.at(-1)?.url).toBe('https://demo.example/p449');
    expect(facts?.first.url).toBe('https://demo.example/p0');
  });

  describe('onto earlier facts (base)', () => {
    const base = foldPageViews(journey.slice(0, 3));
    if (!base) throw new Error('fixture');
    const withTeam: LeadFacts = { ...base, name: 'Ada', named: true, messaged: true };

    it('adds new events and keeps the team’s facts', () => {
      const facts = foldPageViews(journey.slice(3), withTeam);
      const full = foldPageViews(journey);
      expect(facts).toEqual({ ...full, name: 'Ada', named: true, messaged: true });
    });

    it('skips events already folded in', () => {
      const facts = foldPageViews(journey.slice(1, 4), withTeam);
      expect(facts?.pageViews).toBe(4);
    });

    it('moves the first touch to an earlier event that arrives late', () => {
      const early = view(7, T0 - 3_600_000, 'https://demo.example/blog', {
        referrer: 'https://news.ycombinator.com/',
        ua: SAFARI_IPHONE,
      });
      const facts = foldPageViews([early], withTeam);
      expect(facts?.first.url).toBe('https://demo.example/blog');
      expect(facts?.firstSeen).toBe(T0 - 3_600_000);
      // The profile stays the latest event's, not the late one's.
      expect(facts?.ua).toBe(CHROME_WIN);
    });

    it('returns a copy of the base when nothing is new', () => {
      const facts = foldPageViews(journey.slice(0, 2), withTeam);
      expect(facts).toEqual(withTeam);
      expect(facts).not.toBe(withTeam);
    });
  });
});

describe('summarize', () => {
  it('summarises the issue’s LinkedIn campaign visitor: Paid Social, DE, 50 Warm', () => {
    const facts = foldPageViews([journey[0] as PageView]);
    if (!facts) throw new Error('fixture');
    expect(summarize(facts, DEFAULT_RULES)).toEqual({
      id: VISITOR,
      generatedName: generatedName(VISITOR),
      displayName: generatedName(VISITOR),
      stage: 'L1',
      score: 50,
      scoring: {
        signals:
          SIGNAL_BIT.paidAds |
          SIGNAL_BIT.productHuntOrLinkedIn |
          SIGNAL_BIT.hasUtm |
          SIGNAL_BIT.timezoneCountry,
        pages: ['/'],
      },
      band: 'Warm',
      signals: [
        { id: 'paidAds', label: 'Came from paid ads', impact: 'High', points: 25 },
        {
          id: 'productHuntOrLinkedIn',
          label: 'Reached from ProductHunt or LinkedIn',
          impact: 'Medium',
          points: 10,
        },
        { id: 'hasUtm', label: 'Has UTM tracking parameters', impact: 'Medium', points: 10 },
        { id: 'timezoneCountry', label: 'Timezone and country detected', impact: 'Low', points: 5 },
      ],
      sourceDomain: 'demo.example',
      sourcePage:
        'https://demo.example/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch',
      referrer: '',
      channel: 'Paid Social',
      paid: true,
      utm: { source: 'linkedin', medium: 'paid_social', campaign: 'launch' },
      clickIds: {},
      country: 'DE',
      device: { type: 'desktop', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Windows' },
      timezone: 'Europe/Berlin',
      firstSeen: T0,
      lastActivity: T0,
      pageViews: 1,
    });
  });

  it('turns Hot (75) after a later /pricing visit, attribution still from the first touch', () => {
    const facts = foldPageViews(journey.slice(0, 3));
    if (!facts) throw new Error('fixture');
    const summary = summarize(facts, DEFAULT_RULES);
    expect([summary.score, summary.band]).toEqual([75, 'Hot']);
    expect(summary.channel).toBe('Paid Social');
    expect(summary.sourcePage).toBe(journey[0]?.url);
    expect(summary.lastActivity).toBe(T0 + 120_000);
    expect(summary.pageViews).toBe(3);
  });

  it('takes country and device from the latest visit’s profile', () => {
    const facts = foldPageViews(journey);
    if (!facts) throw new Error('fixture');
    const summary = summarize(facts, DEFAULT_RULES);
    expect(summary.country).toBe('SE');
    expect(summary.device.type).toBe('mobile');
    expect(summary.timezone).toBe('Europe/Stockholm');
  });

  it('shows an iPad in desktop mode (a Mac user agent with touch points) as a tablet', () => {
    const mac =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
    const facts = foldPageViews([view(1, T0, 'https://demo.example/', { ua: mac, touch: 5 })]);
    if (!facts) throw new Error('fixture');
    expect(summarize(facts, DEFAULT_RULES).device).toMatchObject({ type: 'tablet', os: 'iOS' });
  });

  it('leaves the country out when the timezone names none', () => {
    const facts = foldPageViews([view(1, T0, 'https://demo.example/', { tz: 'Etc/UTC' })]);
    if (!facts) throw new Error('fixture');
    expect(summarize(facts, DEFAULT_RULES)).not.toHaveProperty('country');
  });

  it.each<{
    name: string;
    team: Partial<LeadFacts>;
    stage: string;
    displayName: string;
    named: boolean;
  }>([
    {
      name: 'an anonymous visitor',
      team: {},
      stage: 'L1',
      displayName: generatedName(VISITOR),
      named: false,
    },
    {
      name: 'a visitor who gave a name',
      team: { name: ' Ada\u0000 Lovelace ', named: true },
      stage: 'L2',
      displayName: 'Ada Lovelace',
      named: true,
    },
    {
      name: 'a contacted visitor who gave no name',
      team: { messaged: true },
      stage: 'L3',
      displayName: generatedName(VISITOR),
      named: false,
    },
    {
      name: 'an anonymous customer',
      team: { customer: true },
      stage: 'L4',
      displayName: generatedName(VISITOR),
      named: false,
    },
    {
      name: 'a customer who gave a name',
      team: { customer: true, name: 'Ada', named: true },
      stage: 'L4',
      displayName: 'Ada',
      named: true,
    },
  ])('stages and names $name', ({ team, stage, displayName, named }) => {
    const facts = foldPageViews([view(1, T0, 'https://demo.example/')]);
    if (!facts) throw new Error('fixture');
    const summary = summarize({ ...facts, ...team }, DEFAULT_RULES);
    expect(summary.stage).toBe(stage);
    expect(summary.displayName).toBe(displayName);
    expect(summary.generatedName).toBe(generatedName(VISITOR));
    // "Provided their name" (worth 10) only when a name was given, whatever the stage.
    expect(summary.signals.some((s) => s.id === 'providedName')).toBe(named);
  });

  it('gives every peer the same summary for the same events in any order', () => {
    const summaries = [1, 2, 3].map((seed) => {
      const facts = foldPageViews(shuffle([...journey, ...journey], seed));
      if (!facts) throw new Error('fixture');
      return summarize(facts, DEFAULT_RULES);
    });
    expect(summaries[1]).toEqual(summaries[0]);
    expect(summaries[2]).toEqual(summaries[0]);
  });
});

describe('where a lead came from (the Overview groups)', () => {
  const facts = (url: string, referrer = ''): LeadFacts => {
    const folded = foldPageViews([view(1, 1_000, url, { referrer })]);
    if (!folded) throw new Error('no facts');
    return folded;
  };

  it('is its first touch: utm_source, else the referrer host, else Direct; campaign and landing page', () => {
    const tagged = facts('https://shop.example/pricing?utm_source=LinkedIn&utm_campaign=Spring');
    expect(originOf(tagged)).toEqual({
      firstSeen: 1_000,
      source: 'linkedin',
      campaign: 'linkedin / (none) / spring',
      landing: '/pricing/',
    });
    expect(originOf(facts('https://shop.example/', 'https://news.ycombinator.com/item'))).toEqual({
      firstSeen: 1_000,
      source: 'news.ycombinator.com',
      campaign: '',
      landing: '/',
    });
    expect(originOf(facts('https://shop.example/blog/a')).source).toBe('Direct');
  });
});
