/**
 * The lead list's questions — which leads, in what order, how many per filter option — asked of
 * an in-memory index of every lead's list fields. With 100,000 leads, IndexedDB cannot answer
 * "L2, unassigned, tagged vip, newest first, rows 4,000–4,040" quickly; an array can: the two
 * orders are kept sorted, and one pass filters and counts every facet (each facet's counts
 * under the other facets' filters, as people expect from a filter menu). Scores are computed
 * here from each lead's score facts, so new rules re-score every lead in memory at once.
 *
 * Changes keep the orders sorted without sorting again: the changed leads are taken out and
 * merged back in, one pass over the order (a full sort of 1,000,000 leads takes a second; a
 * live stream of visits changes a few hundred at a time).
 */
import {
  fromOrigin,
  type FacetCounts,
  type ListEntry,
  type ListQuery,
  type ListResult,
  type ListSort,
} from './list-query.ts';
import { bandOf, DEFAULT_RULES, HOT, scorer, type ScoringRules } from './scoring.ts';
import type { Stage } from './stage.ts';
import { STAGES } from './stage.ts';

/** Lower-cased text the search box matches: name, source domain and tags. */
function searchText(entry: ListEntry): string {
  return `${entry.displayName}\n${entry.sourceDomain}\n${entry.tags.join('\n')}`.toLowerCase();
}

const byActivity = (a: ListEntry, b: ListEntry): number =>
  b.lastActivity - a.lastActivity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Above this share of changed leads, sorting again beats merging the changes in. */
const RESORT_SHARE = 0.25;

export class LeadList<E extends ListEntry = ListEntry> {
  readonly #entries = new Map<string, E>();
  readonly #scores = new Map<string, number>();
  #score = scorer(DEFAULT_RULES);
  #rulesKey = JSON.stringify(DEFAULT_RULES);
  /** Built when first needed (the first search; a sort first asked for), then kept. */
  #text: Map<string, string> | undefined;
  readonly #sorted = new Map<ListSort, E[]>();
  /** Leads changed since the orders were last brought up to date. */
  #pending = new Set<string>();
  #cache: { key: string; result: ListResult } | undefined;

  get size(): number {
    return this.#entries.size;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  get(id: string): E | undefined {
    return this.#entries.get(id);
  }

  /** Every lead, newest activity first. */
  ordered(): readonly E[] {
    return this.#order('activity');
  }

  ids(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** The score of a lead under the rules in force. */
  scoreOf(id: string): number | undefined {
    return this.#scores.get(id);
  }

  /** Scores every lead with these rules, when they differ from the ones in force. */
  useRules(rules: ScoringRules): void {
    const key = JSON.stringify(rules);
    if (key === this.#rulesKey) return;
    this.#rulesKey = key;
    const score = (this.#score = scorer(rules));
    for (const [id, entry] of this.#entries) this.#scores.set(id, score(entry.scoring));
    // Every score may have moved: the score order is sorted again when next asked for.
    this.#sorted.delete('score');
    this.#cache = undefined;
  }

  /** Adds or replaces leads; returns those whose score crossed into Hot (70+) with them. */
  upsert(entries: Iterable<E>): string[] {
    const turnedHot: string[] = [];
    for (const entry of entries) {
      const before = this.#scores.get(entry.id);
      const score = this.#score(entry.scoring);
      if (score >= HOT && !(before !== undefined && before >= HOT)) turnedHot.push(entry.id);
      this.#entries.set(entry.id, entry);
      this.#scores.set(entry.id, score);
      this.#text?.set(entry.id, searchText(entry));
      this.#pending.add(entry.id);
    }
    this.#cache = undefined;
    return turnedHot;
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      if (!this.#entries.delete(id)) continue;
      this.#scores.delete(id);
      this.#text?.delete(id);
      this.#pending.add(id);
    }
    this.#cache = undefined;
  }

  clear(): void {
    this.#entries.clear();
    this.#scores.clear();
    this.#text = undefined;
    this.#sorted.clear();
    this.#pending.clear();
    this.#cache = undefined;
  }

  #compare(sort: ListSort): (a: E, b: E) => number {
    if (sort === 'activity') return byActivity;
    const scores = this.#scores;
    return (a, b) => (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0) || byActivity(a, b);
  }

  /** Brings the kept orders up to date with the changes since. */
  #settle(): void {
    if (this.#pending.size === 0) return;
    const pending = this.#pending;
    this.#pending = new Set();
    for (const [sort, sorted] of this.#sorted) {
      if (pending.size > sorted.length * RESORT_SHARE) {
        this.#sorted.delete(sort);
        continue;
      }
      const compare = this.#compare(sort);
      const changed: E[] = [];
      for (const id of pending) {
        const entry = this.#entries.get(id);
        if (entry) changed.push(entry);
      }
      changed.sort(compare);
      const merged: E[] = [];
      let c = 0;
      for (const entry of sorted) {
        if (pending.has(entry.id)) continue;
        while (c < changed.length && compare(changed[c] as E, entry) < 0)
          merged.push(changed[c++] as E);
        merged.push(entry);
      }
      while (c < changed.length) merged.push(changed[c++] as E);
      this.#sorted.set(sort, merged);
    }
  }

  #order(sort: ListSort): E[] {
    this.#settle();
    let sorted = this.#sorted.get(sort);
    if (!sorted) {
      sorted = [...this.#entries.values()].sort(this.#compare(sort));
      this.#sorted.set(sort, sorted);
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
    // One pass, no allocation per lead: the list answers this for every filter click.
    const order = this.#order(q.sort);
    const leadsKind = q.kind === 'leads';
    const anyStage = stages.size === 0;
    const anyTag = tags.size === 0;
    const wantAll = q.assignment === 'all';
    const wantMine = q.assignment === 'me';
    const withCustomers = !leadsKind || stages.has('L4');
    const origin = q.origin;
    const band = q.band;
    const tagCounts = new Map<string, number>();
    for (let i = 0; i < order.length; i++) {
      const e = order[i] as E;
      const stage = e.stage;
      if (leadsKind ? stage === 'L4' && !withCustomers : stage !== 'L3' && stage !== 'L4') continue;
      if (text && !text.get(e.id)?.includes(search)) continue;
      if (origin && !fromOrigin(e, origin)) continue;
      if (band && bandOf(this.#scores.get(e.id) ?? 0) !== band) continue;
      const mine = e.assignee === q.me;
      const unassigned = e.assignee === '';
      const a = wantAll || (wantMine ? mine : unassigned);
      const s = anyStage || stages.has(stage);
      const leadTags = e.tags;
      let t = anyTag;
      for (let j = 0; !t && j < leadTags.length; j++) t = tags.has(leadTags[j] as string);
      if (s && t) {
        counts.assignment.all++;
        if (mine) counts.assignment.me++;
        if (unassigned) counts.assignment.unassigned++;
      }
      if (a && t) counts.stages[stage]++;
      if (a && s) {
        for (let j = 0; j < leadTags.length; j++) {
          const tag = leadTags[j] as string;
          tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
        }
        if (t) ids.push(e.id);
      }
    }
    counts.tags = Object.fromEntries(tagCounts);
    const result = { ids, counts };
    this.#cache = { key, result };
    return result;
  }
}
