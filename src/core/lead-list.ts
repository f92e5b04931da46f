/**
 * The lead list's questions — which leads, in what order, how many per filter option — asked of
 * an in-memory index of every lead's list fields. With 100,000 leads, IndexedDB cannot answer
 * "L2, unassigned, tagged vip, newest first, rows 4,000–4,040" quickly; an array can: the two
 * orders are kept sorted, and one pass filters and counts every facet (each facet's counts
 * under the other facets' filters, as people expect from a filter menu). Scores are computed
 * here from each lead's score facts, so new rules re-score every lead in memory at once.
 *
 * Each lead has a slot, and what the filters and orders read is kept by slot in typed arrays
 * (list-columns.ts): reading a million objects spread over the heap took most of a filter
 * change's time.
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
import { ListColumns, OTHER_TAGS, stageBits, TAG_BITS } from './list-columns.ts';
import { STAGES, type Stage } from './stage.ts';

/** Lower-cased text the search box matches: name, source domain and tags. */
function searchText(entry: ListEntry): string {
  return `${entry.displayName}\n${entry.sourceDomain}\n${entry.tags.join('\n')}`.toLowerCase();
}

/** Above this share of changed leads, sorting again beats merging the changes in. */
const RESORT_SHARE = 0.25;

export class LeadList<E extends ListEntry = ListEntry> {
  readonly #slots = new Map<string, number>();
  /** By slot: the lead, its id (undefined once removed), and freed slots to use again. */
  #entries: (E | undefined)[] = [];
  #ids: (string | undefined)[] = [];
  #free: number[] = [];
  #columns = new ListColumns();
  #score = scorer(DEFAULT_RULES);
  #rulesKey = JSON.stringify(DEFAULT_RULES);
  /** Built when first needed (the first search), then kept; by slot. */
  #text: (string | undefined)[] | undefined;
  readonly #sorted = new Map<ListSort, Int32Array>();
  /** Slots changed since the orders were last brought up to date. */
  #pending = new Set<number>();
  #cache: { key: string; result: ListResult } | undefined;

  get size(): number {
    return this.#slots.size;
  }

  has(id: string): boolean {
    return this.#slots.has(id);
  }

  get(id: string): E | undefined {
    const slot = this.#slots.get(id);
    return slot === undefined ? undefined : this.#entries[slot];
  }

  /** Every lead, newest activity first (to be read at once: the list may change after). */
  *ordered(): Generator<E> {
    const order = this.#order('activity');
    for (let i = 0; i < order.length; i++) yield this.#entries[order[i] as number] as E;
  }

  ids(): IterableIterator<string> {
    return this.#slots.keys();
  }

  /** The score of a lead under the rules in force. */
  scoreOf(id: string): number | undefined {
    const slot = this.#slots.get(id);
    return slot === undefined ? undefined : this.#columns.score[slot];
  }

  /** Scores every lead with these rules, when they differ from the ones in force. */
  useRules(rules: ScoringRules): void {
    const key = JSON.stringify(rules);
    if (key === this.#rulesKey) return;
    this.#rulesKey = key;
    const score = (this.#score = scorer(rules));
    for (const [, slot] of this.#slots) {
      this.#columns.score[slot] = score((this.#entries[slot] as E).scoring);
    }
    // Every score may have moved: the score order is sorted again when next asked for.
    this.#sorted.delete('score');
    this.#cache = undefined;
  }

  /** Adds or replaces leads; returns those whose score crossed into Hot (70+) with them. */
  upsert(entries: Iterable<E>): string[] {
    const turnedHot: string[] = [];
    for (const entry of entries) {
      let slot = this.#slots.get(entry.id);
      const before = slot === undefined ? undefined : this.#columns.score[slot];
      if (slot === undefined) slot = this.#newSlot(entry.id);
      const score = this.#score(entry.scoring);
      if (score >= HOT && !(before !== undefined && before >= HOT)) turnedHot.push(entry.id);
      this.#entries[slot] = entry;
      this.#columns.set(slot, entry, score);
      if (this.#text) this.#text[slot] = searchText(entry);
      this.#moved(slot);
    }
    this.#cache = undefined;
    return turnedHot;
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const slot = this.#slots.get(id);
      if (slot === undefined) continue;
      this.#slots.delete(id);
      this.#entries[slot] = undefined;
      this.#ids[slot] = undefined;
      if (this.#text) this.#text[slot] = undefined;
      // Used again only once the orders no longer hold it (see #settle).
      this.#moved(slot);
    }
    this.#cache = undefined;
  }

  clear(): void {
    this.#slots.clear();
    this.#entries = [];
    this.#ids = [];
    this.#free = [];
    this.#columns = new ListColumns();
    this.#text = undefined;
    this.#sorted.clear();
    this.#pending.clear();
    this.#cache = undefined;
  }

  #newSlot(id: string): number {
    const slot = this.#free.pop() ?? this.#ids.length;
    this.#columns.fit(slot);
    this.#slots.set(id, slot);
    this.#ids[slot] = id;
    return slot;
  }

  #moved(slot: number): void {
    this.#columns.moved[slot] = 1;
    this.#pending.add(slot);
  }

  #compare(sort: ListSort): (a: number, b: number) => number {
    const { activity, score } = this.#columns;
    const ids = this.#ids as string[];
    const byActivity = (a: number, b: number): number =>
      (activity[b] as number) - (activity[a] as number) ||
      ((ids[a] as string) < (ids[b] as string)
        ? -1
        : (ids[a] as string) > (ids[b] as string)
          ? 1
          : 0);
    if (sort === 'activity') return byActivity;
    return (a, b) => (score[b] as number) - (score[a] as number) || byActivity(a, b);
  }

  /** Brings the kept orders up to date with the changes since, and frees removed slots. */
  #settle(): void {
    if (this.#pending.size === 0) return;
    const pending = this.#pending;
    this.#pending = new Set();
    const moved = this.#columns.moved;
    const changed: number[] = [];
    for (const slot of pending) if (this.#ids[slot] !== undefined) changed.push(slot);
    for (const [sort, sorted] of this.#sorted) {
      if (pending.size > sorted.length * RESORT_SHARE) {
        this.#sorted.delete(sort);
        continue;
      }
      const compare = this.#compare(sort);
      changed.sort(compare);
      const merged = new Int32Array(this.#slots.size);
      let m = 0;
      let c = 0;
      for (let i = 0; i < sorted.length; i++) {
        const slot = sorted[i] as number;
        if (moved[slot] === 1) continue;
        while (c < changed.length && compare(changed[c] as number, slot) < 0) {
          merged[m++] = changed[c++] as number;
        }
        merged[m++] = slot;
      }
      while (c < changed.length) merged[m++] = changed[c++] as number;
      this.#sorted.set(sort, merged);
    }
    // No order holds a removed lead's slot any more: it may be used again.
    for (const slot of pending) {
      moved[slot] = 0;
      if (this.#ids[slot] === undefined) this.#free.push(slot);
    }
  }

  #order(sort: ListSort): Int32Array {
    this.#settle();
    let sorted = this.#sorted.get(sort);
    if (!sorted) {
      sorted = Int32Array.from(this.#slots.values()).sort(this.#compare(sort));
      this.#sorted.set(sort, sorted);
    }
    return sorted;
  }

  #searchText(): (string | undefined)[] {
    if (!this.#text) {
      const text: (string | undefined)[] = [];
      for (const [, slot] of this.#slots) text[slot] = searchText(this.#entries[slot] as E);
      this.#text = text;
    }
    return this.#text;
  }

  /** Answers a query; the last answer is kept, so scrolling through it costs nothing. */
  query(q: ListQuery): ListResult {
    const key = JSON.stringify(q);
    if (this.#cache?.key === key) return this.#cache.result;
    const order = this.#order(q.sort);
    const { stage, assignee, tags, score } = this.#columns;
    const ids = this.#ids;
    const search = q.search.trim().toLowerCase();
    const text = search ? this.#searchText() : undefined;
    // Which stages the list holds at all: the Inbox contacted leads and customers; the Leads
    // list customers only when the stage filter names them.
    const listed =
      q.kind === 'inbox'
        ? stageBits(['L3', 'L4'])
        : stageBits(q.stages.includes('L4') ? STAGES : ['L1', 'L2', 'L3']);
    const wanted = q.stages.length ? stageBits(q.stages) : -1;
    const me = q.me === '' ? 0 : this.#columns.memberCode(q.me);
    const wantAll = q.assignment === 'all';
    const wantMine = q.assignment === 'me';
    // The tags asked for: bits for those that have one, names for the others.
    let tagMask = 0;
    const otherTags = new Set<string>();
    for (const tag of q.tags) {
      const code = this.#columns.tagCode(tag);
      if (code >= 0 && code < TAG_BITS) tagMask |= 1 << code;
      else otherTags.add(tag);
    }
    const anyTag = q.tags.length === 0;
    const origin = q.origin;
    const band = q.band;
    const entries = this.#entries;
    const stageCounts = new Int32Array(STAGES.length);
    const tagCounts = new Int32Array(TAG_BITS);
    const otherCounts = new Map<string, number>();
    let all = 0;
    let mine = 0;
    let unassigned = 0;
    const matched: string[] = [];
    // One pass over compact arrays, no allocation per lead: the list answers this for every
    // filter click.
    for (let i = 0; i < order.length; i++) {
      const slot = order[i] as number;
      const stageBit = 1 << (stage[slot] as number);
      if ((listed & stageBit) === 0) continue;
      if (text && !text[slot]?.includes(search)) continue;
      if (origin && !fromOrigin(entries[slot] as E, origin)) continue;
      if (band && bandOf(score[slot] as number) !== band) continue;
      const who = assignee[slot] as number;
      const isMine = who === me;
      const a = wantAll || (wantMine ? isMine : who === 0);
      const s = (wanted & stageBit) !== 0;
      const bits = tags[slot] as number;
      let t = anyTag || (bits & tagMask) !== 0;
      if (!t && otherTags.size > 0 && (bits & OTHER_TAGS) !== 0) {
        t = (entries[slot] as E).tags.some((tag) => otherTags.has(tag));
      }
      if (s && t) {
        all++;
        if (isMine) mine++;
        if (who === 0) unassigned++;
      }
      if (a && t) {
        const code = stage[slot] as number;
        stageCounts[code] = (stageCounts[code] as number) + 1;
      }
      if (a && s) {
        // Each tag bit set, lowest first.
        for (let rest = bits & ~OTHER_TAGS; rest !== 0; rest &= rest - 1) {
          const code = 31 - Math.clz32(rest & -rest);
          tagCounts[code] = (tagCounts[code] as number) + 1;
        }
        if ((bits & OTHER_TAGS) !== 0) {
          for (const tag of (entries[slot] as E).tags) {
            if (this.#columns.tagCode(tag) >= TAG_BITS) {
              otherCounts.set(tag, (otherCounts.get(tag) ?? 0) + 1);
            }
          }
        }
        if (t) matched.push(ids[slot] as string);
      }
    }
    const counts: FacetCounts = {
      assignment: { all, me: mine, unassigned },
      stages: Object.fromEntries(STAGES.map((s, i) => [s, stageCounts[i] ?? 0])) as Record<
        Stage,
        number
      >,
      tags: {},
    };
    tagCounts.forEach((n, code) => {
      if (n > 0) counts.tags[this.#columns.tagName(code)] = n;
    });
    for (const [tag, n] of otherCounts) counts.tags[tag] = n;
    const result = { ids: matched, counts };
    this.#cache = { key, result };
    return result;
  }
}
