/**
 * What the lead detail shows of a lead: its visitor's summary (attribution from the FIRST
 * touch, the score under the rules in force), what teammates decided, the conversation and the
 * kept visits. The lists' row is in lead.ts, beside the folding both are computed from.
 */
import { conversationOf, heardMessages, type ConversationMessage } from './conversation.ts';
import { deviceOf, type Device } from './device.ts';
import { countryName, countryOf } from './geo.ts';
import {
  namesOf,
  NO_TEAM_FACTS,
  scored,
  type Lead,
  type LeadFacts,
  type TeamFacts,
  type Visit,
} from './lead.ts';
import {
  scoreOf,
  type Band,
  type ScoreFacts,
  type ScoreResult,
  type ScoringRules,
} from './scoring.ts';
import type { Stage } from './stage.ts';
import type { Channel, ClickIds, Utm } from './utm.ts';

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

/** Everything the detail shows of a lead's visitor: attribution from the FIRST touch. */
export function summarize(
  facts: LeadFacts,
  rules: ScoringRules,
  team: TeamFacts = NO_TEAM_FACTS,
): LeadSummary {
  const { stage, scoring } = scored(facts, team);
  const result = scoreOf(scoring, rules);
  const first = facts.first;
  const summary: LeadSummary = {
    id: facts.visitorId,
    ...namesOf(facts),
    stage,
    score: result.score,
    band: result.band,
    signals: result.signals,
    scoring,
    sourceDomain: first.sourceDomain,
    sourcePage: first.url,
    referrer: first.referrer,
    channel: first.channel,
    paid: first.paid,
    utm: { ...first.utm },
    clickIds: { ...first.clickIds },
    device: deviceOf(facts.ua, facts.hints, facts.touch),
    timezone: facts.tz,
    firstSeen: facts.firstSeen,
    lastActivity: facts.lastSeen,
    pageViews: facts.pageViews,
  };
  const country = countryOf(facts.tz, facts.languages);
  if (country) summary.country = country;
  return summary;
}

/** A page view in the lead's timeline. */
export type TimelineVisit = Pick<Visit, 'id' | 'url' | 'title' | 'at'>;

/** Everything the lead detail shows: the summary, what teammates decided, the visits. */
export interface LeadDetail
  extends LeadSummary, Omit<TeamFacts, 'customer' | 'messaged' | 'lastMessage' | 'readBy'> {
  customer: boolean;
  /** The chat, both sides, oldest first. */
  conversation: ConversationMessage[];
  /** Whether the team can write to the visitor (they have chatted: their mailbox is known). */
  reachable: boolean;
  /** A teammate blocked the visitor; how many of their messages were dropped since. */
  blocked: boolean;
  droppedMessages: number;
  /** The country's name in English ('' when unknown). */
  countryName: string;
  languages: string[];
  /** Kept visits, newest first. */
  visits: TimelineVisit[];
}

export function detailOf(
  lead: Lead,
  context: { rules: ScoringRules; awayText?: string },
  teamMessages: readonly ConversationMessage[] = [],
): LeadDetail {
  const { rules, awayText } = context;
  const { facts, team } = lead;
  const visits: TimelineVisit[] = [];
  for (let i = facts.visits.length - 1; i >= 0; i--) {
    const v = facts.visits[i];
    if (v) visits.push({ id: v.id, url: v.url, title: v.title, at: v.at });
  }
  const summary = summarize(facts, rules, team);
  const heard = heardMessages(facts.chat, team.blockedAfter);
  return {
    ...summary,
    assignee: team.assignee,
    tags: team.tags,
    customer: facts.customer || team.customer,
    countryName: countryName(summary.country ?? ''),
    languages: [...facts.languages],
    visits,
    conversation: conversationOf(heard, teamMessages, awayText),
    reachable: facts.chat !== undefined,
    blocked: team.blockedAfter !== undefined,
    droppedMessages: (facts.chat?.messages.length ?? 0) - heard.length,
  };
}
