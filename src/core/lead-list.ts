/**
 * The lead list's questions — which leads, in what order, how many per filter option — asked of
 * an in-memory index of every lead's list fields. With 100,000 leads, IndexedDB cannot answer
 * "L2, unassigned, tagged vip, newest first, rows 4,000–4,040" quickly; an array can: the two
 * orders are kept sorted, and one pass filters and counts every facet (each facet's counts
 * under the other facets' filters, as people expect from a filter menu). Scores are computed
 * here from each lead's score facts, so new rules re-score every lead in memory at once.
 */
import { DEFAULT_RULES, scoreOf, type ScoreFacts, type ScoringRules } from './scoring.ts';
import type { Stage } from './stage.ts';
import { STAGES } from './stage.ts';

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
}

export type Assignment = 'all' | 'me' | 'unassigned';
export type ListSort = 'activity' | 'score';

export interface ListFilters {
  assignment: Assignment;
  stages: Stage[];
  tags: string[];
  search: string;
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

function inKind(kind: ListQuery['kind'], stage: Stage): boolean {
  return kind === 'leads' ? stage !== 'L4' : stage === 'L3' || stage === 'L4';
}

/** Lower-cased text the search box matches: name, source domain and tags. */
function searchText(entry: ListEntry): string {
  return `${entry.displayName}\n${entry.sourceDomain}\n${entry.tags.join('\n')}`.toLowerCase();
}

const byActivity = (a: ListEntry, b: ListEntry): number =>
  b.lastActivity - a.lastActivity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class LeadList {
  readonly #entries = new Map<string, ListEntry>();
  readonly #scores = new Map<string, number>();
  #rules: ScoringRules = DEFAULT_RULES;
  #rulesKey = JSON.stringify(DEFAULT_RULES);
  /** Built when first needed (the first search; a sort first asked for), then kept. */
  #text: Map<string, string> | undefined;
  #sorted: Partial<Record<ListSort, ListEntry[]>> = {};
  #cache: { key: string; result: ListResult } | undefined;

  get size(): number {
    return this.#entries.size;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** The score of a lead under the rules in force. */
  scoreOf(id: string): number | undefined {
    return this.#scores.get(id);
  }

  /** Scores every lead with these rules, when they differ from the ones in force. */
  useRules(rules: ScoringRules): void {
    const key = JSON.stringify(rules);
    if (key === this.#rulesKey) return;
    this.#rules = rules;
    this.#rulesKey = key;
    for (const [id, entry] of this.#entries) {
      this.#scores.set(id, scoreOf(entry.scoring, rules).score);
    }
    this.#changed();
  }

  upsert(entries: Iterable<ListEntry>): void {
    for (const entry of entries) {
      this.#entries.set(entry.id, entry);
      this.#scores.set(entry.id, scoreOf(entry.scoring, this.#rules).score);
      this.#text?.set(entry.id, searchText(entry));
    }
    this.#changed();
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      this.#entries.delete(id);
      this.#scores.delete(id);
      this.#text?.delete(id);
    }
    this.#changed();
  }

  clear(): void {
    this.#entries.clear();
    this.#scores.clear();
    this.#text = undefined;
    this.#changed();
  }

  #changed(): void {
    this.#sorted = {};
    this.#cache = undefined;
  }

  #order(sort: ListSort): ListEntry[] {
    let sorted = this.#sorted[sort];
    if (!sorted) {
      const scores = this.#scores;
      const byScore = (a: ListEntry, b: ListEntry): number =>
        (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0) || byActivity(a, b);
      sorted = [...this.#entries.values()].sort(sort === 'activity' ? byActivity : byScore);
      this.#sorted[sort] = sorted;
    }
    return sorted;
  }

  #searchText(): Map<string, string> {
    if (!this.#text) {
      this.#text = new Map();
      for (const [id, entry] of this.#entries) this.#text.set(id, searchText(entry));
    }
    return this.#text;
  }

  /** Answers a query; the last answer is kept, so scrolling through it costs nothing. */
  query(q: ListQuery): ListResult {
    const key = JSON.stringify(q);
    if (this.#cache?.key === key) return this.#cache.result;
    const search = q.search.trim().toLowerCase();
    const text = search ? this.#searchText() : undefined;
    const stages = new Set(q.stages);
    const tags = new Set(q.tags);
    const counts: FacetCounts = {
      assignment: { all: 0, me: 0, unassigned: 0 },
      stages: Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>,
      tags: {},
    };
    const ids: string[] = [];
    for (const e of this.#order(q.sort)) {
      if (!inKind(q.kind, e.stage)) continue;
      if (text && !text.get(e.id)?.includes(search)) continue;
      const mine = e.assignee === q.me;
      const unassigned = e.assignee === '';
      const a = q.assignment === 'all' || (q.assignment === 'me' ? mine : unassigned);
      const s = stages.size === 0 || stages.has(e.stage);
      const t = tags.size === 0 || e.tags.some((tag) => tags.has(tag));
      if (s && t) {
        counts.assignment.all++;
        if (mine) counts.assignment.me++;
        if (unassigned) counts.assignment.unassigned++;
      }
      if (a && t) counts.stages[e.stage]++;
      if (a && s) for (const tag of e.tags) counts.tags[tag] = (counts.tags[tag] ?? 0) + 1;
      if (a && s && t) ids.push(e.id);
    }
    const result = { ids, counts };
    this.#cache = { key, result };
    return result;
  }
}
