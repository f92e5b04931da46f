/**
 * The lead aggregate: page views folded into lead facts, and facts summarised into the row the
 * lists show (identity, stage, score, attribution, visitor profile).
 *
 * Folding is order-independent and idempotent — events are deduplicated by id and sorted by
 * (time, id) — so every peer that folds the same set of events, in any order and with any
 * duplicates, gets identical facts (SPEC §11).
 */
import {
  attributionOf,
  channelOf,
  isPaid,
  sourceDomain,
  type Channel,
  type ClickIds,
  type Utm,
} from './attribution.ts';
import { cleanText, type ClientHints, type PageView } from './capture.ts';
import { deviceOf, type Device } from './device.ts';
import { countryOf } from './geo.ts';
import { generatedName } from './identity.ts';
import {
  scoreFacts,
  scoreOf,
  type Band,
  type ScoreFacts,
  type ScoreResult,
  type ScoringRules,
} from './scoring.ts';
import { stageOf, stageRank, type Stage } from './stage.ts';

/** Most recent visits kept in the facts; the first visit is always kept on top of these. */
export const MAX_VISITS = 200;
/** Longest visitor-given name kept. */
export const NAME_MAX = 80;

export interface Touch {
  url: string;
  referrer: string;
  at: number;
  utm: Utm;
  clickIds: ClickIds;
}

export interface Visit {
  /** Event id: lets a later fold onto these facts skip redelivered events. */
  id: string;
  url: string;
  referrer: string;
  title: string;
  at: number;
}

export interface LeadFacts {
  visitorId: string;
  firstSeen: number;
  lastSeen: number;
  /** Distinct page views (by event id), including those no longer kept in `visits`. */
  pageViews: number;
  /** First touch: the earliest visit, kept for ever. */
  first: Touch;
  /** Latest touch: the most recent visit. */
  latest: Touch;
  /** Chronological: the first visit plus the most recent MAX_VISITS. */
  visits: Visit[];
  tz: string;
  languages: string[];
  ua: string;
  hints?: ClientHints;
  screen: [number, number];
  name?: string;
  named: boolean;
  messaged: boolean;
  customer: boolean;
}

export function touchOf(visit: { url: string; referrer: string; at: number }): Touch {
  const { utm, clickIds } = attributionOf(visit.url);
  return { url: visit.url, referrer: visit.referrer, at: visit.at, utm, clickIds };
}

/** Total order on events: time, then id (plain code-unit comparison, never locale-aware). */
function compareEvents(a: { at: number; id: string }, b: { at: number; id: string }): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Of two events sharing an id (a corrupt duplicate), the one every peer keeps. */
function preferred(a: PageView, b: PageView): PageView {
  const order =
    compareEvents(a, b) ||
    compareText(a.url, b.url) ||
    compareText(a.referrer, b.referrer) ||
    compareText(a.title, b.title) ||
    compareText(a.ua, b.ua) ||
    compareText(a.tz, b.tz);
  return order <= 0 ? a : b;
}

function visitOf(e: PageView): Visit {
  return { id: e.id, url: e.url, referrer: e.referrer, title: e.title, at: e.at };
}

/**
 * Folds page views into lead facts. Without `base`, `views` should be all of one visitor's
 * events (events of another visitor than the earliest event's are ignored); returns undefined
 * when there is no page view. With `base`, the views are added to those facts: events whose id
 * is among the kept visits are skipped, so redelivery is harmless as long as the event is still
 * in the kept window — folding the full event set (what the team worker does) is always exact.
 * Named / messaged / customer and the name come from `base` (page views do not carry them).
 */
export function foldPageViews(views: readonly PageView[], base?: LeadFacts): LeadFacts | undefined {
  const byId = new Map<string, PageView>();
  for (const e of views) {
    const known = byId.get(e.id);
    byId.set(e.id, known ? preferred(known, e) : e);
  }
  let events = [...byId.values()].sort(compareEvents);
  const visitorId = base?.visitorId ?? events[0]?.visitorId;
  if (visitorId === undefined) return undefined;
  events = events.filter((e) => e.visitorId === visitorId);
  const keptIds = new Set(base?.visits.map((v) => v.id));
  if (base) events = events.filter((e) => !keptIds.has(e.id));
  if (events.length === 0) return base ? copyFacts(base) : undefined;

  const visits = [...(base?.visits ?? []), ...events.map(visitOf)].sort(compareEvents);
  const firstVisit = visits[0];
  const latestVisit = visits[visits.length - 1];
  const newest = events[events.length - 1];
  if (!firstVisit || !latestVisit || !newest) return undefined;
  const kept = visits.length > MAX_VISITS + 1 ? [firstVisit, ...visits.slice(-MAX_VISITS)] : visits;
  // The visitor's profile comes from their most recent event, whichever side holds it.
  const profileFromNew = !base || newest.id === latestVisit.id;
  const facts: LeadFacts = {
    visitorId,
    firstSeen: firstVisit.at,
    lastSeen: latestVisit.at,
    pageViews: (base?.pageViews ?? 0) + events.length,
    first: touchOf(firstVisit),
    latest: touchOf(latestVisit),
    visits: kept,
    tz: profileFromNew ? newest.tz : base.tz,
    languages: [...(profileFromNew ? newest.languages : base.languages)],
    ua: profileFromNew ? newest.ua : base.ua,
    screen: [...(profileFromNew ? newest.screen : base.screen)],
    named: base?.named ?? false,
    messaged: base?.messaged ?? false,
    customer: base?.customer ?? false,
  };
  const hints = profileFromNew ? newest.hints : base.hints;
  if (hints) facts.hints = hints;
  if (base?.name !== undefined) facts.name = base.name;
  return facts;
}

function copyFacts(facts: LeadFacts): LeadFacts {
  return {
    ...facts,
    visits: facts.visits.slice(),
    languages: facts.languages.slice(),
    screen: [facts.screen[0], facts.screen[1]],
  };
}

export interface LeadSummary {
  id: string;
  generatedName: string;
  /** The name the visitor gave, else the generated one. */
  displayName: string;
  stage: Stage;
  score: number;
  band: Band;
  signals: ScoreResult['signals'];
  /** What the score is computed from, whatever the rules (see ScoreFacts). */
  scoring: ScoreFacts;
  sourceDomain: string;
  /** First source page (full URL). */
  sourcePage: string;
  /** First touch's referrer. */
  referrer: string;
  channel: Channel;
  paid: boolean;
  utm: Utm;
  clickIds: ClickIds;
  country?: string;
  device: Device;
  timezone: string;
  firstSeen: number;
  lastActivity: number;
  pageViews: number;
}

/** The list row of a lead: attribution from the FIRST touch, score from all kept visits. */
export function summarize(facts: LeadFacts, rules: ScoringRules): LeadSummary {
  const stage = stageOf(facts);
  const generated = generatedName(facts.visitorId);
  const given = facts.name ? cleanText(facts.name, NAME_MAX) : '';
  const scoring = scoreFacts({
    visits: facts.visits,
    tz: facts.tz,
    languages: facts.languages,
    named: stageRank(stage) >= 2,
  });
  const result = scoreOf(scoring, rules);
  const first = facts.first;
  const summary: LeadSummary = {
    id: facts.visitorId,
    generatedName: generated,
    displayName: given || generated,
    stage,
    score: result.score,
    band: result.band,
    signals: result.signals,
    scoring,
    sourceDomain: sourceDomain(first.url),
    sourcePage: first.url,
    referrer: first.referrer,
    channel: channelOf(first),
    paid: isPaid(first.utm, first.clickIds),
    utm: { ...first.utm },
    clickIds: { ...first.clickIds },
    device: deviceOf(facts.ua, facts.hints),
    timezone: facts.tz,
    firstSeen: facts.firstSeen,
    lastActivity: facts.lastSeen,
    pageViews: facts.pageViews,
  };
  const country = countryOf(facts.tz, facts.languages);
  if (country) summary.country = country;
  return summary;
}
