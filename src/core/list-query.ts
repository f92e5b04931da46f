/**
 * What the lead lists ask (see lead-list.ts, the index that answers): a lead's list fields,
 * the filters and sort of a list, and the counts per filter option that come back.
 */
import type { Band, ScoreFacts } from './scoring.ts';
import type { Stage } from './stage.ts';

/** The list fields of a lead (what the table row holds). */
export interface ListEntry {
  id: string;
  lastActivity: number;
  /** What the score is computed from: the list scores every lead with the rules in force. */
  scoring: ScoreFacts;
  stage: Stage;
  /** Member id, '' when unassigned. */
  assignee: string;
  tags: string[];
  displayName: string;
  sourceDomain: string;
  firstSeen: number;
  source: string;
  campaign: string;
  landing: string;
}

export type Assignment = 'all' | 'me' | 'unassigned';
export type ListSort = 'activity' | 'score';

export interface ListFilters {
  assignment: Assignment;
  /** Customers (L4) are in the Leads list only when this names them. */
  stages: Stage[];
  tags: string[];
  search: string;
  /** Where leads came from, as the Overview groups them: its links open the list so. */
  origin?: Origin;
  /** Leads of one score band (the Overview's split links to it). */
  band?: Band;
}

/** Leads first seen in a period, from a source, a campaign or a landing page. */
export interface Origin {
  /** First seen at or after `from`, before `to` (epoch ms). */
  from?: number;
  to?: number;
  source?: string;
  campaign?: string;
  landing?: string;
}

/** Whether a lead came from `origin`. */
export function fromOrigin(e: ListEntry, origin: Origin): boolean {
  return (
    (origin.from === undefined || e.firstSeen >= origin.from) &&
    (origin.to === undefined || e.firstSeen < origin.to) &&
    (origin.source === undefined || e.source === origin.source) &&
    (origin.campaign === undefined || e.campaign === origin.campaign) &&
    (origin.landing === undefined || e.landing === origin.landing)
  );
}

export const NO_FILTERS: ListFilters = { assignment: 'all', stages: [], tags: [], search: '' };

export interface ListQuery extends ListFilters {
  /** Leads (never customers) or the Inbox (contacted leads and customers). */
  kind: 'leads' | 'inbox';
  sort: ListSort;
  /** The member asking ("Assigned to me"). */
  me: string;
}

export interface FacetCounts {
  assignment: Record<Assignment, number>;
  stages: Record<Stage, number>;
  tags: Record<string, number>;
}

export interface ListResult {
  /** Matching lead ids in list order. */
  ids: string[];
  counts: FacetCounts;
}
