import { describe, expect, it } from 'vitest';
import {
  bandOf,
  DEFAULT_RULES,
  normalizeRules,
  MAX_PAGES,
  scoreOf,
  SIGNALS,
  type Band,
  type ScoreInput,
  type ScoringRules,
  type SignalId,
  scorer,
} from '../../src/core/scoring.ts';
import { scoreFacts } from '../../src/core/visit-signals.ts';
import { prng } from '../prng.ts';

const SITE = 'https://demo.example';

/** A lead with one plain visit and nothing else: scores 0. */
function lead(over: Partial<ScoreInput> = {}): ScoreInput {
  return {
    visits: [{ url: `${SITE}/`, referrer: '' }],
    tz: '',
    languages: [],
    named: false,
    ...over,
  };
}

/** Scores a lead from its visits. */
const scoreLead = (input: ScoreInput, rules: ScoringRules = DEFAULT_RULES) =>
  scoreOf(scoreFacts(input), rules);

const ids = (input: ScoreInput, rules?: ScoringRules): SignalId[] =>
  scoreLead(input, rules).signals.map((s) => s.id);

/** Rules where only `id` is worth anything, to see one signal on its own. */
function only(id: SignalId, points = 1): ScoringRules {
  const zero = Object.fromEntries(SIGNALS.map((s) => [s.id, 0])) as Record<SignalId, number>;
  return { highIntentPaths: DEFAULT_RULES.highIntentPaths, points: { ...zero, [id]: points } };
}

describe('scoring', () => {
  it('scores a plain direct visit 0, Cold, with no signals', () => {
    expect(scoreLead(lead())).toEqual({ score: 0, band: 'Cold', signals: [] });
  });

  it.each<{ name: string; input: ScoreInput; id: SignalId; points: number }>([
    {
      name: 'adds 25 for a visit to /pricing',
      input: lead({ visits: [{ url: `${SITE}/pricing`, referrer: '' }] }),
      id: 'highIntentPage',
      points: 25,
    },
    {
      name: 'adds 25 for a gclid (paid ads)',
      input: lead({ visits: [{ url: `${SITE}/?gclid=abc`, referrer: '' }] }),
      id: 'paidAds',
      points: 25,
    },
    {
      name: 'adds 10 for a named lead',
      input: lead({ named: true }),
      id: 'providedName',
      points: 10,
    },
    {
      name: 'adds 10 for UTM parameters',
      input: lead({ visits: [{ url: `${SITE}/?utm_campaign=spring`, referrer: '' }] }),
      id: 'hasUtm',
      points: 10,
    },
    {
      name: 'adds 10 for an external referrer',
      input: lead({ visits: [{ url: `${SITE}/`, referrer: 'https://blog.other.example/post' }] }),
      id: 'externalReferrer',
      points: 10,
    },
    {
      name: 'adds 5 for a timezone naming a country',
      input: lead({ tz: 'Europe/Berlin', languages: ['de-DE'] }),
      id: 'timezoneCountry',
      points: 5,
    },
  ])('$name, on its own', ({ input, id, points }) => {
    const result = scoreLead(input);
    expect(result.score).toBe(points);
    expect(result.signals).toEqual([{ ...SIGNALS.find((s) => s.id === id), points }]);
  });

  it.each<{ name: string; visit: { url: string; referrer: string } }>([
    {
      name: 'a ProductHunt referrer',
      visit: { url: `${SITE}/`, referrer: 'https://www.producthunt.com/posts/converge' },
    },
    {
      name: 'a LinkedIn referrer',
      visit: { url: `${SITE}/`, referrer: 'https://www.linkedin.com/feed/' },
    },
    { name: 'an lnkd.in referrer', visit: { url: `${SITE}/`, referrer: 'https://lnkd.in/abc' } },
    {
      name: 'utm_source=producthunt',
      visit: { url: `${SITE}/?utm_source=producthunt`, referrer: '' },
    },
    {
      name: 'utm_source=product_hunt',
      visit: { url: `${SITE}/?utm_source=product_hunt`, referrer: '' },
    },
    { name: 'utm_source=linkedin', visit: { url: `${SITE}/?utm_source=LinkedIn`, referrer: '' } },
  ])('adds 10 for ProductHunt or LinkedIn: $name', ({ visit }) => {
    const result = scoreLead(lead({ visits: [visit] }));
    expect(result.signals.find((s) => s.id === 'productHuntOrLinkedIn')?.points).toBe(10);
    // The same visit also has UTMs or an external referrer: 10 more, never anything else.
    expect(result.score).toBe(20);
  });

  it.each<{ name: string; visit: { url: string; referrer: string } }>([
    { name: 'a Google referrer', visit: { url: `${SITE}/`, referrer: 'https://www.google.com/' } },
    {
      name: 'a look-alike host',
      visit: { url: `${SITE}/`, referrer: 'https://producthunt.com.evil.example/' },
    },
    { name: 'utm_source=facebook', visit: { url: `${SITE}/?utm_source=facebook`, referrer: '' } },
  ])('does not count $name as ProductHunt or LinkedIn', ({ visit }) => {
    expect(ids(lead({ visits: [visit] }))).not.toContain('productHuntOrLinkedIn');
  });

  it.each<{ name: string; input: ScoreInput }>([
    { name: 'fbclid alone', input: lead({ visits: [{ url: `${SITE}/?fbclid=x`, referrer: '' }] }) },
    {
      name: 'an organic medium',
      input: lead({ visits: [{ url: `${SITE}/?utm_medium=social`, referrer: '' }] }),
    },
    {
      name: 'an internal referrer',
      input: lead({ visits: [{ url: `${SITE}/`, referrer: `${SITE}/blog` }] }),
    },
    {
      name: 'a www. referrer of the same site',
      input: lead({ visits: [{ url: `${SITE}/`, referrer: 'https://www.demo.example/' }] }),
    },
    { name: 'an Etc/UTC timezone', input: lead({ tz: 'Etc/UTC', languages: ['en-US'] }) },
    { name: 'an unknown timezone', input: lead({ tz: 'Mars/Base', languages: ['en-US'] }) },
  ])('gives no points for $name', ({ input }) => {
    expect(scoreLead(input).signals.filter((s) => s.id !== 'hasUtm')).toEqual([]);
  });

  it.each(SIGNALS.map((s) => s.id))('counts %s with exactly the rule’s points', (id) => {
    const all = lead({
      visits: [
        {
          url: `${SITE}/pricing?utm_source=linkedin&utm_medium=cpc`,
          referrer: 'https://www.linkedin.com/',
        },
      ],
      tz: 'Europe/Berlin',
      languages: ['de-DE'],
      named: true,
    });
    const result = scoreLead(all, only(id, 7));
    expect(result.score).toBe(7);
    expect(result.signals.find((s) => s.id === id)?.points).toBe(7);
  });

  it('lists every fired signal in table order and adds them up to 95', () => {
    const result = scoreLead(
      lead({
        visits: [
          {
            url: `${SITE}/pricing?utm_source=linkedin&utm_medium=paid_social`,
            referrer: 'https://lnkd.in/x',
          },
        ],
        tz: 'Europe/Berlin',
        languages: ['de-DE'],
        named: true,
      }),
    );
    expect(result.signals.map((s) => s.id)).toEqual(SIGNALS.map((s) => s.id));
    expect(result.signals.map((s) => s.impact)).toEqual([
      'High',
      'High',
      'Medium',
      'Medium',
      'Medium',
      'Medium',
      'Low',
    ]);
    expect(result.score).toBe(95);
    expect(result.band).toBe('Hot');
  });

  it('scores the issue’s LinkedIn campaign visitor 50 (Warm), then 75 (Hot) after /pricing', () => {
    const landing = {
      url: 'https://demo.example/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch',
      referrer: '',
    };
    const input = lead({ visits: [landing], tz: 'Europe/Berlin', languages: ['de-DE'] });
    const before = scoreLead(input);
    expect(before.signals.map((s) => [s.id, s.points])).toEqual([
      ['paidAds', 25],
      ['productHuntOrLinkedIn', 10],
      ['hasUtm', 10],
      ['timezoneCountry', 5],
    ]);
    expect([before.score, before.band]).toEqual([50, 'Warm']);
    const after = scoreLead({
      ...input,
      visits: [landing, { url: 'https://demo.example/pricing', referrer: 'https://demo.example/' }],
    });
    expect([after.score, after.band]).toEqual([75, 'Hot']);
  });

  describe('signals across all visits, not only the first', () => {
    const plain = { url: `${SITE}/`, referrer: '' };
    it.each<{ name: string; later: { url: string; referrer: string }; id: SignalId }>([
      {
        name: 'a later /pricing visit',
        later: { url: `${SITE}/pricing`, referrer: `${SITE}/` },
        id: 'highIntentPage',
      },
      {
        name: 'a later paid click',
        later: { url: `${SITE}/?msclkid=1`, referrer: '' },
        id: 'paidAds',
      },
      {
        name: 'a later visit with UTMs',
        later: { url: `${SITE}/?utm_source=news`, referrer: '' },
        id: 'hasUtm',
      },
      {
        name: 'a later external referrer',
        later: { url: `${SITE}/`, referrer: 'https://other.example/' },
        id: 'externalReferrer',
      },
      {
        name: 'a later LinkedIn referrer',
        later: { url: `${SITE}/`, referrer: 'https://www.linkedin.com/' },
        id: 'productHuntOrLinkedIn',
      },
    ])('fires for $name', ({ later, id }) => {
      expect(ids(lead({ visits: [plain, plain, later] }))).toContain(id);
      expect(ids(lead({ visits: [plain, plain] }))).not.toContain(id);
    });
  });

  describe('high-intent paths', () => {
    it.each<[string, boolean]>([
      ['/pricing', true],
      ['/pricing/', true],
      ['/pricing/teams', true],
      ['/en/demo', true],
      ['/book/', true],
      ['/PRICING', true],
      ['/Pricing/Teams?plan=pro', true],
      ['/pricing.html', true],
      ['/pri%63ing', true],
      ['/#/pricing', true],
      ['/#!/demo', true],
      ['/blog/pricing-tips', false],
      ['/demos', false],
      ['/booking', false],
      ['/ebook', false],
      ['/?page=pricing', false],
      ['/#pricing', false],
      ['/', false],
    ])('%s → %s', (path, high) => {
      expect(
        ids(lead({ visits: [{ url: `${SITE}${path}`, referrer: '' }] })).includes('highIntentPage'),
      ).toBe(high);
    });

    it('uses the workspace’s own path list, as admins type it', () => {
      const rules: ScoringRules = {
        ...DEFAULT_RULES,
        highIntentPaths: ['/Enterprise/', ' contact-sales ', 'get/started'],
      };
      const high = (path: string): boolean =>
        ids(lead({ visits: [{ url: `${SITE}${path}`, referrer: '' }] }), rules).includes(
          'highIntentPage',
        );
      expect(high('/enterprise')).toBe(true);
      expect(high('/en/contact-sales/')).toBe(true);
      expect(high('/get/started')).toBe(true);
      expect(high('/de/get/started/now')).toBe(true);
      expect(high('/get/going/started')).toBe(false);
      expect(high('/pricing')).toBe(false);
    });

    it('matches nothing with an empty list', () => {
      const rules: ScoringRules = { ...DEFAULT_RULES, highIntentPaths: [] };
      expect(ids(lead({ visits: [{ url: `${SITE}/pricing`, referrer: '' }] }), rules)).toEqual([]);
    });
  });

  describe('clamping', () => {
    const everything = lead({
      visits: [
        { url: `${SITE}/pricing?utm_source=linkedin&gclid=1`, referrer: 'https://lnkd.in/x' },
      ],
      tz: 'Europe/Berlin',
      languages: ['de-DE'],
      named: true,
    });
    const withPoints = (points: number): ScoringRules => ({
      highIntentPaths: ['pricing'],
      points: Object.fromEntries(SIGNALS.map((s) => [s.id, points])) as Record<SignalId, number>,
    });

    it.each<[string, number, number, Band]>([
      ['huge points', 1000, 100, 'Hot'],
      ['astronomical points', 1e300, 100, 'Hot'],
      ['negative points', -40, 0, 'Cold'],
      ['fractional points', 2.5, 18, 'Cold'], // 7 × 2.5 = 17.5, rounded half up
    ])('keeps %s within 0–100', (_name, points, score, band) => {
      const result = scoreLead(everything, withPoints(points));
      expect(result.score).toBe(score);
      expect(result.band).toBe(band);
    });

    it('lets a negative signal pull a score down', () => {
      const rules: ScoringRules = {
        ...DEFAULT_RULES,
        points: { ...DEFAULT_RULES.points, externalReferrer: -20 },
      };
      expect(scoreLead(everything, rules).score).toBe(65);
    });
  });

  it('rescoring after the rules object is edited in place uses the new rules', () => {
    const rules: ScoringRules = {
      highIntentPaths: ['pricing'],
      points: { ...DEFAULT_RULES.points },
    };
    const input = lead({ visits: [{ url: `${SITE}/demo`, referrer: '' }] });
    expect(scoreLead(input, rules).score).toBe(0);
    rules.highIntentPaths.push('demo');
    expect(scoreLead(input, rules).score).toBe(25);
    rules.points.highIntentPage = 40;
    expect(scoreLead(input, rules).score).toBe(40);
  });
});

describe('bandOf', () => {
  it.each<[number, Band]>([
    [0, 'Cold'],
    [49, 'Cold'],
    [50, 'Warm'],
    [69, 'Warm'],
    [70, 'Hot'],
    [100, 'Hot'],
  ])('%d → %s', (score, band) => {
    expect(bandOf(score)).toBe(band);
  });
});

describe('normalizeRules', () => {
  it('keeps valid rules as they are', () => {
    expect(normalizeRules(DEFAULT_RULES)).toEqual(DEFAULT_RULES);
  });

  it('falls back to the defaults for garbage', () => {
    expect(normalizeRules(null)).toEqual(DEFAULT_RULES);
    expect(normalizeRules('x')).toEqual(DEFAULT_RULES);
  });

  it('cleans paths and gives missing or non-numeric points their default', () => {
    const rules = normalizeRules({
      highIntentPaths: ['/Pricing/', 'pricing', '', '  ', 42, 'a//b'],
      points: { paidAds: 40, hasUtm: Number.NaN, timezoneCountry: '5', externalReferrer: -1e12 },
    });
    expect(rules.highIntentPaths).toEqual(['pricing', 'a/b']);
    expect(rules.points).toEqual({
      ...DEFAULT_RULES.points,
      paidAds: 40,
      externalReferrer: -1_000_000,
    });
  });

  it('the defaults are the SPEC table', () => {
    expect(DEFAULT_RULES).toEqual({
      highIntentPaths: ['pricing', 'demo', 'book'],
      points: {
        highIntentPage: 25,
        paidAds: 25,
        providedName: 10,
        productHuntOrLinkedIn: 10,
        hasUtm: 10,
        externalReferrer: 10,
        timezoneCountry: 5,
      },
    });
    expect(Object.isFrozen(DEFAULT_RULES.points)).toBe(true);
  });
});

describe('score facts (what a list row keeps, whatever the rules)', () => {
  const visit = (path: string, referrer = '') => ({ url: `${SITE}${path}`, referrer });
  const inputs: ScoreInput[] = [
    lead({ visits: [visit('/en/pricing/teams')] }),
    lead({ visits: [visit('/'), visit('/#/book', 'https://www.linkedin.com/')] }),
    lead({ visits: [visit('/Pricing.html?utm_source=x&utm_medium=cpc')], tz: 'Europe/Berlin' }),
    lead({ visits: [visit('/caf%C3%A9/demo')], named: true }),
    lead({ visits: [visit('/blog/why-pricing-matters'), visit('/docs/en/start')] }),
  ];
  const ruleSets: ScoringRules[] = [
    DEFAULT_RULES,
    { ...DEFAULT_RULES, highIntentPaths: ['en/pricing', 'café', 'docs/en'] },
    { ...DEFAULT_RULES, highIntentPaths: ['why-pricing-matters'] },
    { ...DEFAULT_RULES, highIntentPaths: [] },
  ];

  // Whether each input (rows) has a high-intent page under each rule set (columns).
  const highIntent = [
    [true, true, false, false],
    [true, false, false, false],
    [true, false, false, false],
    [true, true, false, false],
    [false, true, true, false],
  ];

  it('re-scored under any rules, match scoring the visits themselves', () => {
    inputs.forEach((input, row) => {
      // As stored and read back from IndexedDB.
      const facts = JSON.parse(JSON.stringify(scoreFacts(input))) as ReturnType<typeof scoreFacts>;
      ruleSets.forEach((rules, column) => {
        const result = scoreOf(facts, rules);
        expect(result.signals.some((sig) => sig.id === 'highIntentPage')).toBe(
          highIntent[row]?.[column],
        );
        expect(result).toEqual(scoreLead(input, rules));
      });
    });
  });

  it('keeps each page once, and at most MAX_PAGES of them, first visited first', () => {
    const many = Array.from({ length: MAX_PAGES + 50 }, (_, i) =>
      visit(`/p${String(i % (MAX_PAGES + 20))}`),
    );
    const facts = scoreFacts(lead({ visits: many }));
    expect(facts.pages).toHaveLength(MAX_PAGES);
    expect(facts.pages[0]).toBe('/p0/');
    expect(new Set(facts.pages).size).toBe(MAX_PAGES);
    expect(scoreFacts(lead({ visits: [visit('/'), visit('/')] })).pages).toEqual(['/']);
  });
});

describe('the score alone (what the list computes for every lead)', () => {
  it('is the score of the full breakdown, for any facts and rules', () => {
    const random = prng(11);
    const pages = ['/', '/pricing/', '/en/demo/', '/blog/pricing-tips/', '/book/', '/get/started/'];
    for (let n = 0; n < 2_000; n++) {
      const points = Object.fromEntries(
        SIGNALS.map((s) => [s.id, Math.round((random() - 0.3) * 60)]),
      ) as Record<SignalId, number>;
      const rules = normalizeRules({
        highIntentPaths: pages.filter(() => random() < 0.3).map((p) => p.slice(1, -1)),
        points,
      });
      const facts = {
        signals: Math.floor(random() * 128),
        pages: pages.filter(() => random() < 0.4),
      };
      expect(scorer(rules)(facts)).toBe(scoreOf(facts, rules).score);
    }
  });
});
