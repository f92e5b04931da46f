/**
 * The list worker's contracts: with the page (`ListApi`, `ListEvents`) and with the team worker,
 * which feeds it lead changes over a channel of their own (`FeedMessage`). The list worker keeps
 * every lead's list row in memory and answers the lists' questions from it (see
 * src/list/list-service.ts).
 */
import type { FacetCounts, ListQuery } from '../core/list-query.ts';
import type { LeadRow, ScoredRow } from '../core/lead.ts';
import type { OverviewFigures, Period } from '../core/overview.ts';
import type { ScoringRules } from '../core/scoring.ts';
import type { Failure } from './errors.ts';

export interface ListPage {
  /** Leads the query matches. */
  total: number;
  offset: number;
  rows: ScoredRow[];
  /** Each filter option's count; undefined in a first window painted before the list loaded. */
  counts: FacetCounts | undefined;
  /** Conversations with messages the member asking has not read (the title's badge). */
  unreadConversations?: number;
}

/** What the list worker tells the page. */
export interface ListEvents {
  /** The window the page shows, again, after leads in it or the totals changed. */
  page: (page: ListPage) => void;
  /** Leads whose score just crossed into Hot, from live intake. */
  hot: (rows: ScoredRow[]) => void;
  /** Leads whose visitor just wrote, from live intake (the row's `lastMessage`). */
  message: (rows: ScoredRow[]) => void;
  /** The Overview's figures for the period it watches, again, after leads changed. */
  overview: (figures: OverviewFigures) => void;
  /** A background failure the user should hear about. */
  error: (failure: Failure) => void;
}

/** What the page asks of the list worker. Failures reject with a plain `Failure`. */
export interface ListApi {
  /** Starts loading the workspace's list (its own copy, then what changed since); resolves at once. */
  open(workspaceId: string, events: ListEvents): Promise<void>;
  /** The team worker's end of the lead feed (see FeedMessage). */
  connect(feed: MessagePort): void;
  /**
   * One window of the list for a query: the rows from `offset`, the total and each filter
   * option's count. It becomes the window the worker pushes again (`page`) when it changes.
   */
  show(query: ListQuery, offset: number, limit: number): Promise<ListPage>;
  /** Every lead id of a query, in list order (for an export). */
  ids(query: ListQuery): Promise<string[]>;
  /**
   * The Overview's figures for a period, then an `overview` event each time they change;
   * undefined stops them.
   */
  watchOverview(period: Period | undefined): Promise<OverviewFigures | undefined>;
  close(): void;
}

/** What the team worker feeds the list worker. */
export type FeedMessage =
  | {
      type: typeof Feed.leads;
      rows: LeadRow[];
      /** Leads that are gone. */
      gone: string[];
      /** Leads changed by live intake: only these may raise a Hot alert. */
      live: string[];
    }
  | { type: typeof Feed.rules; rules: ScoringRules }
  /** The team worker is ready: anything written before now is in storage. */
  | { type: typeof Feed.hello };

export const Feed = { leads: 'leads', rules: 'rules', hello: 'hello' } as const;
