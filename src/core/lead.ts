/**
 * The lead: a visitor's page views folded into lead facts, what teammates decided added to
 * them, and the lists' row of the result (the detail's view of it is in lead-detail.ts).
 *
 * Folding is order-independent and idempotent — events are deduplicated by id and sorted by
 * (time, id) — so every browser that folds the same events, in any order and with any
 * duplicates, gets identical facts (SPEC §11). Each visit's URL is parsed once, when it is
 * folded in: the visit keeps what scoring needs of it, and a touch keeps its attribution.
 * Chat events (a name, a message) are folded in log order: the log is the same on every peer,
 * and the first key a visitor wrote with is theirs (see chat-seal.ts).
 */
import {
  attributionOf,
  channelOf,
  isExternalReferrer,
  isPaid,
  sourceDomain,
  type UrlAttribution,
} from './attribution.ts';
import { cleanText, type ClientHints, type PageView } from './capture.ts';
import { countryOf } from './geo.ts';
import { foldChat, heardMessages, type ChatFacts } from './conversation.ts';
import type { LoggedChat } from './facts.ts';
import { generatedName } from './identity.ts';
import { compareEvents, compareText } from './order.ts';
import { combineScoreFacts, type Band, type ScoreFacts } from './scoring.ts';
import { stageOf, type Stage } from './stage.ts';
import type { Channel, ClickIds, Utm } from './utm.ts';
import { referrerHost } from './url.ts';
import { visitScoring } from './visit-signals.ts';

/** Most recent visits kept in the facts; the first visit is always kept on top of these. */
export const MAX_VISITS = 200;
/** Longest visitor-given name kept. */
export const NAME_MAX = 80;
/** A visit as a touch: where the visitor came from, parsed from its URL. */
export interface Touch {
  /** Event id of the visit. */
  id: string;
  url: string;
  referrer: string;
  at: number;
  utm: Utm;
  clickIds: ClickIds;
}

/** The first touch, with the attribution the lists and the detail show (derived once). */
export interface FirstTouch extends Touch {
  sourceDomain: string;
  channel: Channel;
  paid: boolean;
}

export interface Visit {
  /** Event id: lets a later fold onto these facts skip redelivered events. */
  id: string;
  url: string;
  referrer: string;
  title: string;
  at: number;
  /** The rule-free score signals this visit fired (see `visitScoring`). */
  signals: number;
  /** The page as its path segments, "/a/b/" ('' for a URL that does not parse). */
  page: string;
}

/** What the visitor's events say about a lead. */
export interface LeadFacts {
  visitorId: string;
  firstSeen: number;
  lastSeen: number;
  /** Distinct page views (by event id), including those no longer kept in `visits`. */
  pageViews: number;
  /** First touch: the earliest visit, kept for ever. */
  first: FirstTouch;
  /** Latest touch: the most recent visit. */
  latest: Touch;
  /** Chronological: the first visit plus the most recent MAX_VISITS. */
  visits: Visit[];
  tz: string;
  languages: string[];
  ua: string;
  hints?: ClientHints;
  screen: [number, number];
  /** Touch points of the latest visit's device (see PageView.touch). */
  touch?: number;
  name?: string;
  named: boolean;
  messaged: boolean;
  customer: boolean;
  chat?: ChatFacts;
}

/** What teammates decided about a lead (from the team doc). */
export interface TeamFacts {
  assignee: string | null;
  tags: string[];
  customer: boolean;
  /** A teammate wrote to the visitor. */
  messaged: boolean;
  /** The team's latest message. */
  lastMessage?: { at: number; text: string };
  /** Up to when each member has read the conversation (member id → time). */
  readBy: Record<string, number>;
  /**
   * A teammate blocked the visitor: their messages later in the log than this seq are dropped
   * (the log's order is the same on every peer, the visitor's clock is not to be trusted).
   */
  blockedAfter?: number;
}

export const NO_TEAM_FACTS: TeamFacts = Object.freeze({
  assignee: null,
  tags: Object.freeze([]) as unknown as string[],
  customer: false,
  messaged: false,
  readBy: Object.freeze({}) as Record<string, number>,
});

/**
 * A lead as each browser stores it: its visitor's facts (page views folded in as they arrive
 * from the intake log), its teammates' decisions, and the list row they make, kept with them
 * so the list reads it as it is. `rev` orders writes: a reader that saw every lead up to some
 * rev catches up with the ones above it.
 */
export interface Lead {
  id: string;
  facts: LeadFacts;
  team: TeamFacts;
  rev: number;
  row: LeadRow;
}

/** A lead from its parts, with its list row. */
export function leadOf(id: string, facts: LeadFacts, team: TeamFacts, rev: number): Lead {
  return { id, facts, team, rev, row: rowOf(id, facts, team, rev) };
}

/** UTMs and click ids of the visits parsed in one fold, by event id (each URL parsed once). */
type Parsed = Map<string, UrlAttribution>;

function touchOf(visit: Visit, parsed: Parsed): Touch {
  const { utm, clickIds } = parsed.get(visit.id) ?? attributionOf(visit.url);
  return { id: visit.id, url: visit.url, referrer: visit.referrer, at: visit.at, utm, clickIds };
}

function firstTouchOf(visit: Visit, parsed: Parsed): FirstTouch {
  const touch = touchOf(visit, parsed);
  return {
    ...touch,
    sourceDomain: sourceDomain(touch.url),
    channel: channelOf(touch),
    paid: isPaid(touch.utm, touch.clickIds),
  };
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

function visitOf(e: PageView, parsed: Parsed): Visit {
  const { signals, page, attribution } = visitScoring(e);
  parsed.set(e.id, attribution);
  return { id: e.id, url: e.url, referrer: e.referrer, title: e.title, at: e.at, signals, page };
}

/**
 * Folds page views into lead facts. Without `base`, `views` should be all of one visitor's
 * events (events of another visitor than the earliest event's are ignored); returns undefined
 * when there is no page view. With `base`, the views are added to those facts: events whose id
 * is among the kept visits are skipped, so a redelivered event is harmless as long as it is
 * still in the kept window. Named / messaged / customer and the name come from `base` (page
 * views do not carry them).
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
  if (base) {
    const keptIds = new Set(base.visits.map((v) => v.id));
    events = events.filter((e) => !keptIds.has(e.id));
  }
  if (events.length === 0) return base ? copyFacts(base) : undefined;

  const parsed: Parsed = new Map();
  const added = events.map((e) => visitOf(e, parsed));
  const visits = [...(base?.visits ?? []), ...added].sort(compareEvents);
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
    // A touch is derived once, when its visit becomes the first or the latest.
    first: base?.first.id === firstVisit.id ? base.first : firstTouchOf(firstVisit, parsed),
    latest: base?.latest.id === latestVisit.id ? base.latest : touchOf(latestVisit, parsed),
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
  const touch = profileFromNew ? newest.touch : base.touch;
  if (touch) facts.touch = touch;
  if (base?.name !== undefined) facts.name = base.name;
  if (base?.chat) facts.chat = base.chat;
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

/** Facts with chat events folded in: a name makes the lead named, a message messaged. */
function withChat(facts: LeadFacts, events: readonly LoggedChat[]): LeadFacts {
  const chat = foldChat(facts.chat, events);
  if (!chat || chat === facts.chat) return facts;
  const out: LeadFacts = {
    ...facts,
    chat,
    named: facts.named || chat.name !== undefined,
    messaged: facts.messaged || chat.messages.length > 0,
  };
  if (chat.name) out.name = chat.name.value;
  return out;
}

/** A lead with a visitor's new events folded in (or a new lead); undefined when there is none. */
export function withEvents(
  lead: Lead | undefined,
  visitorId: string,
  events: readonly (PageView | LoggedChat)[],
  team: TeamFacts,
  rev: number,
): Lead | undefined {
  const views: PageView[] = [];
  const chat: LoggedChat[] = [];
  for (const e of events) {
    if (e.kind === 'pageview') views.push(e);
    else chat.push(e);
  }
  const facts = foldPageViews(views, lead?.facts);
  if (!facts) return undefined;
  return leadOf(visitorId, withChat(facts, chat), team, rev);
}

/** The stage and what scoring needs: shared by the list row and the detail. */
export function scored(facts: LeadFacts, team: TeamFacts): { stage: Stage; scoring: ScoreFacts } {
  const stage = stageOf({
    ...facts,
    messaged: facts.messaged || team.messaged,
    customer: facts.customer || team.customer,
  });
  const scoring = combineScoreFacts(facts.visits, {
    // "Provided their name": a name given, not a stage (a customer may never have given one).
    named: facts.named,
    country: countryOf(facts.tz, facts.languages) !== undefined,
  });
  return { stage, scoring };
}

/** The generated name, and the one the lists and the detail show. */
export function namesOf(facts: LeadFacts): { generatedName: string; displayName: string } {
  const generated = generatedName(facts.visitorId);
  const given = facts.name ? cleanText(facts.name, NAME_MAX) : '';
  return { generatedName: generated, displayName: given || generated };
}

/** A lead as the lists show it: list fields only. */
export interface LeadRow {
  id: string;
  displayName: string;
  generatedName: string;
  stage: Stage;
  /** What the score is computed from: the lists score every lead with the rules in force. */
  scoring: ScoreFacts;
  sourceDomain: string;
  channel: Channel;
  /** The first touch's external referrer: its host, or an app's package ('' for none). */
  referrerHost?: string;
  /** When the visitor was first seen (a lead's day in the Overview). */
  firstSeen: number;
  /** Where the first touch came from: its utm_source, else the referrer's host, else "Direct". */
  source: string;
  /** The first touch's campaign, "source / medium / campaign" ('' when it had no UTM tags). */
  campaign: string;
  /** The first page seen, as its path ("/pricing/"). */
  landing: string;
  country?: string;
  lastActivity: number;
  /** Member id, '' when unassigned. */
  assignee: string;
  tags: string[];
  /** The conversation's latest message, either side (a preview), for the Inbox. */
  lastMessage?: { at: number; text: string; from: 'visitor' | 'team' };
  /** When the visitor's latest messages were written (the last UNREAD_KEPT): unread counts. */
  visitorMessageTimes: number[];
  readBy: Record<string, number>;
  rev: number;
}

/** Preview length of the latest message in a row. */
const PREVIEW_MAX = 140;
/** Visitor message times a row keeps for unread counts ("9+" beyond). */
const UNREAD_KEPT = 10;

/** How many of the visitor's messages `member` has not read. */
export function unreadFor(row: LeadRow, member: string): number {
  const read = row.readBy[member] ?? 0;
  let n = 0;
  for (const at of row.visitorMessageTimes) if (at > read) n++;
  return n;
}

/** A row with its score under the rules in force, as the lists and alerts show it. */
export interface ScoredRow extends LeadRow {
  score: number;
  band: Band;
  /** Visitor messages the member looking at the list has not read. */
  unread: number;
}

/** The list row of a lead: attribution from the FIRST touch, score facts from its visits. */
/** A campaign's part that was not tagged. */
const UNTAGGED = '(none)';

/** Where a lead came from, as the Overview groups leads: source, campaign, landing page. */
export function originOf(
  facts: LeadFacts,
): Pick<LeadRow, 'firstSeen' | 'source' | 'campaign' | 'landing'> {
  const { utm, referrer, url } = facts.first;
  const source =
    utm.source?.toLowerCase() ||
    (isExternalReferrer(referrer, url) ? referrerHost(referrer) : '') ||
    'Direct';
  const tagged = utm.source || utm.medium || utm.campaign;
  const campaign = tagged
    ? [utm.source, utm.medium, utm.campaign]
        .map((part) => part?.toLowerCase() || UNTAGGED)
        .join(' / ')
    : '';
  return { firstSeen: facts.firstSeen, source, campaign, landing: facts.visits[0]?.page || '/' };
}

function rowOf(id: string, facts: LeadFacts, team: TeamFacts, rev: number): LeadRow {
  const { stage, scoring } = scored(facts, team);
  const row: LeadRow = {
    id,
    ...namesOf(facts),
    stage,
    scoring,
    sourceDomain: facts.first.sourceDomain,
    channel: facts.first.channel,
    ...originOf(facts),
    lastActivity: facts.lastSeen,
    assignee: team.assignee ?? '',
    tags: team.tags,
    visitorMessageTimes: [],
    readBy: team.readBy,
    rev,
  };
  const country = countryOf(facts.tz, facts.languages);
  if (country) row.country = country;
  if (isExternalReferrer(facts.first.referrer, facts.first.url)) {
    row.referrerHost = referrerHost(facts.first.referrer);
  }
  const said = heardMessages(facts.chat, team.blockedAfter);
  const visitorLast = said[said.length - 1];
  const teamLast = team.lastMessage;
  const last =
    visitorLast && (!teamLast || visitorLast.at >= teamLast.at)
      ? { at: visitorLast.at, text: visitorLast.text, from: 'visitor' as const }
      : teamLast && { ...teamLast, from: 'team' as const };
  if (last) {
    row.lastMessage = { ...last, text: last.text.slice(0, PREVIEW_MAX) };
    // A message is activity: conversations come first in their list when they move.
    row.lastActivity = Math.max(row.lastActivity, last.at);
  }
  row.visitorMessageTimes = said.slice(-UNREAD_KEPT).map((m) => m.at);
  return row;
}
