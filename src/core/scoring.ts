/**
 * Lead scoring (SPEC §6): a pure function of a lead's facts and the workspace's rules, so every
 * peer computes the same score. Seven signals, each worth editable points; the sum is rounded
 * and clamped to 0–100 and banded Hot (70+), Warm (50–69) or Cold (0–49). Signals look at all
 * of the lead's visits, not only the first.
 *
 * The list re-scores 100,000 leads in one go (budget 150 ms), so nothing here parses a URL: each
 * visit's URL is split once, when it is folded into its lead (visit-signals.ts), and a lead
 * keeps only its score facts; rules are compiled once per rules object. This file has no
 * dependencies, so what only shows or scores leads (the page, the list worker) stays small.
 */

export type SignalId =
  | 'highIntentPage'
  | 'paidAds'
  | 'providedName'
  | 'productHuntOrLinkedIn'
  | 'hasUtm'
  | 'externalReferrer'
  | 'timezoneCountry';

export type Impact = 'High' | 'Medium' | 'Low';

export interface SignalInfo {
  id: SignalId;
  label: string;
  impact: Impact;
}

/** The signals in table order (the order a breakdown lists them). */
export const SIGNALS: readonly SignalInfo[] = [
  { id: 'highIntentPage', label: 'Visited a high-intent page', impact: 'High' },
  { id: 'paidAds', label: 'Came from paid ads', impact: 'High' },
  { id: 'providedName', label: 'Provided their name', impact: 'Medium' },
  { id: 'productHuntOrLinkedIn', label: 'Reached from ProductHunt or LinkedIn', impact: 'Medium' },
  { id: 'hasUtm', label: 'Has UTM tracking parameters', impact: 'Medium' },
  { id: 'externalReferrer', label: 'External referrer (not your site)', impact: 'Medium' },
  { id: 'timezoneCountry', label: 'Timezone and country detected', impact: 'Low' },
];

export interface ScoringRules {
  /** Path segments that mark a high-intent page (`pricing` matches `/en/pricing/teams`). */
  highIntentPaths: string[];
  points: Record<SignalId, number>;
}

export const DEFAULT_RULES: ScoringRules = Object.freeze({
  highIntentPaths: Object.freeze(['pricing', 'demo', 'book']) as string[],
  points: Object.freeze({
    highIntentPage: 25,
    paidAds: 25,
    providedName: 10,
    productHuntOrLinkedIn: 10,
    hasUtm: 10,
    externalReferrer: 10,
    timezoneCountry: 5,
  }),
});

export type Band = 'Hot' | 'Warm' | 'Cold';

export const HOT = 70;
export const WARM = 50;

/** Hot 70+, Warm 50–69, Cold 0–49. */
export function bandOf(score: number): Band {
  if (score >= HOT) return 'Hot';
  if (score >= WARM) return 'Warm';
  return 'Cold';
}

export interface ScoreInput {
  visits: readonly { url: string; referrer: string }[];
  tz: string;
  languages: readonly string[];
  /** Reached L2 (gave a name) or later. */
  named: boolean;
}

export interface ScoreResult {
  score: number;
  band: Band;
  /** Only the signals that fired, in table order, with the points each added. */
  signals: { id: SignalId; label: string; impact: Impact; points: number }[];
}

// ---------------------------------------------------------------------------------------------
// Rules

/** Points per signal are capped so that sums never overflow (any |points| ≥ 100 already saturates). */
const POINTS_LIMIT = 1_000_000;
const MAX_PATHS = 100;
const MAX_PATH_LENGTH = 200;

/** Normalises one high-intent path as admins may type it: "/Pricing/" → "pricing". */
export function normalizePath(path: string): string {
  return path
    .trim()
    .toLowerCase()
    .split('/')
    .filter((s) => s.length > 0)
    .join('/')
    .slice(0, MAX_PATH_LENGTH);
}

/**
 * Cleans rules read from the team doc or a settings form: paths normalised and deduplicated,
 * points finite and bounded, a missing or non-numeric signal worth its default points.
 */
export function normalizeRules(input: unknown): ScoringRules {
  const r = (typeof input === 'object' && input !== null ? input : {}) as Partial<
    Record<keyof ScoringRules, unknown>
  >;
  const paths = Array.isArray(r.highIntentPaths)
    ? r.highIntentPaths.filter((p): p is string => typeof p === 'string')
    : DEFAULT_RULES.highIntentPaths;
  const rawPoints = (typeof r.points === 'object' && r.points !== null ? r.points : {}) as Partial<
    Record<SignalId, unknown>
  >;
  const points = {} as Record<SignalId, number>;
  for (const { id } of SIGNALS) points[id] = pointsOf(rawPoints[id], id);
  const unique = [...new Set(paths.map(normalizePath).filter(Boolean))].slice(0, MAX_PATHS);
  return { highIntentPaths: unique, points };
}

function pointsOf(value: unknown, id: SignalId): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DEFAULT_RULES.points[id];
  return Math.max(-POINTS_LIMIT, Math.min(POINTS_LIMIT, value));
}

interface CompiledRules {
  /** The inputs compiled from, to notice a rules object mutated in place. */
  sourcePaths: string[];
  sourcePoints: number[];
  /** Single-segment paths. */
  segments: Set<string>;
  /** Multi-segment paths as "/a/b/", matched against "/x/a/b/y/". */
  sequences: string[];
  /** Every path's first segment: a page whose path contains none of them can't match. */
  needles: string[];
  points: number[];
}

const compiled = new WeakMap<ScoringRules, CompiledRules>();

function compile(rules: ScoringRules): CompiledRules {
  const sourcePaths = Array.isArray(rules.highIntentPaths) ? rules.highIntentPaths.slice() : [];
  const sourcePoints = SIGNALS.map(({ id }) => rules.points[id]);
  const clean = normalizeRules({ highIntentPaths: sourcePaths, points: rules.points });
  const segments = new Set<string>();
  const sequences: string[] = [];
  for (const p of clean.highIntentPaths) {
    if (p.includes('/')) sequences.push(`/${p}/`);
    else segments.add(p);
  }
  const points = SIGNALS.map(({ id }) => clean.points[id]);
  const needles = clean.highIntentPaths.map((p) => p.split('/', 1)[0] ?? p);
  return { sourcePaths, sourcePoints, segments, sequences, needles, points };
}

function compiledOf(rules: ScoringRules): CompiledRules {
  const c = compiled.get(rules);
  if (c && unchanged(c, rules)) return c;
  const fresh = compile(rules);
  compiled.set(rules, fresh);
  return fresh;
}

function unchanged(c: CompiledRules, rules: ScoringRules): boolean {
  const paths = rules.highIntentPaths;
  if (!Array.isArray(paths) || paths.length !== c.sourcePaths.length) return false;
  for (let i = 0; i < paths.length; i++) if (paths[i] !== c.sourcePaths[i]) return false;
  for (let i = 0; i < SIGNALS.length; i++) {
    const signal = SIGNALS[i];
    if (!signal || rules.points[signal.id] !== c.sourcePoints[i]) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Scoring

// Signals as bits, so a lead's visits are OR-ed together cheaply.
const Bit = {
  HighIntent: 1,
  Paid: 2,
  PhOrLinkedIn: 4,
  Utm: 8,
  External: 16,
  Name: 32,
  Country: 64,
} as const;

/** The bit of each signal in `ScoreFacts.signals`. */
export const SIGNAL_BIT: Readonly<Record<SignalId, number>> = {
  highIntentPage: Bit.HighIntent,
  paidAds: Bit.Paid,
  providedName: Bit.Name,
  productHuntOrLinkedIn: Bit.PhOrLinkedIn,
  hasUtm: Bit.Utm,
  externalReferrer: Bit.External,
  timezoneCountry: Bit.Country,
};

/** The bit of each signal, in SIGNALS order. */
const SIGNAL_BITS: readonly number[] = SIGNALS.map(({ id }) => SIGNAL_BIT[id]);

/**
 * What scoring needs of a lead, whatever the rules: the signals that no rule decides, and the
 * pages visited, for the high-intent paths the rules name. Stored with the lead's list row, so
 * a change of rules re-scores every lead without going back to its visits.
 */
export interface ScoreFacts {
  /** The rule-independent signals that fired, as bits. */
  signals: number;
  /** Distinct pages visited as "/segment/segment/", first visited first, at most MAX_PAGES. */
  pages: string[];
}

/** A lead who browsed more distinct pages than this is judged on the first ones. */
export const MAX_PAGES = 200;

/** A lead's score facts from its visits (chronological) and profile. */
export function combineScoreFacts(
  visits: readonly { signals: number; page: string }[],
  profile: { named: boolean; country: boolean },
): ScoreFacts {
  let bits = 0;
  const pages = new Set<string>();
  for (const visit of visits) {
    bits |= visit.signals;
    if (visit.page && pages.size < MAX_PAGES) pages.add(visit.page);
  }
  if (profile.named) bits |= Bit.Name;
  if (profile.country) bits |= Bit.Country;
  return { signals: bits, pages: [...pages] };
}

/** Whether a page ("/a/b/") has a segment, or run of segments, the rules call high-intent. */
function isHighIntentPage(page: string, rules: CompiledRules): boolean {
  let mentioned = false;
  for (const needle of rules.needles) if ((mentioned = page.includes(needle))) break;
  if (!mentioned) return false;
  for (const segment of page.split('/')) if (segment && rules.segments.has(segment)) return true;
  return rules.sequences.some((seq) => page.includes(seq));
}

/** Scores a lead's facts: signals in table order, total rounded and clamped to 0–100. */
function firedBits(facts: ScoreFacts, c: CompiledRules): number {
  let bits = facts.signals & ~Bit.HighIntent;
  for (const page of facts.pages) {
    if (isHighIntentPage(page, c)) {
      bits |= Bit.HighIntent;
      break;
    }
  }
  return bits;
}

/**
 * The score alone, by rules compiled once: what a list needs of every lead at once, with no
 * breakdown to build (`scoreOf` gives that).
 */
export function scorer(rules: ScoringRules): (facts: ScoreFacts) => number {
  const c = compiledOf(rules);
  return (facts) => {
    const bits = firedBits(facts, c);
    let total = 0;
    for (let i = 0; i < SIGNAL_BITS.length; i++) {
      if (bits & (SIGNAL_BITS[i] ?? 0)) total += c.points[i] ?? 0;
    }
    return Math.max(0, Math.min(100, Math.round(total)));
  };
}

export function scoreOf(facts: ScoreFacts, rules: ScoringRules = DEFAULT_RULES): ScoreResult {
  const c = compiledOf(rules);
  const bits = firedBits(facts, c);
  const signals: ScoreResult['signals'] = [];
  let total = 0;
  for (let i = 0; i < SIGNALS.length; i++) {
    const signal = SIGNALS[i];
    if (!signal || (bits & (SIGNAL_BITS[i] ?? 0)) === 0) continue;
    const points = c.points[i] ?? 0;
    total += points;
    signals.push({ id: signal.id, label: signal.label, impact: signal.impact, points });
  }
  const score = Math.max(0, Math.min(100, Math.round(total)));
  return { score, band: bandOf(score), signals };
}
