/**
 * The workspace's replicated state: one Y.Doc per workspace, shared by every teammate's browser.
 *
 * Layout rule (see TECH-NOTES on Yjs races): top-level maps only, one map per fact family,
 * keyed so that two peers never race on one value with different content.
 * - `views`: page views keyed by event id. Every peer ingests the same intake log, so two peers
 *   writing the same key write the same value: idempotent and commutative.
 * - `visitors`: the visitor's device profile, keyed by visitor id (any peer's latest is fine).
 * - `ledger`: signed team records (members, roles, admin settings, and the workspace's own
 *   name and intake key, signed by the owner); see ledger.ts.
 * - Team edits on leads, one map per kind, never a nested map per lead:
 *   `assignments` (a register per lead: concurrent assigns settle on one, the same everywhere),
 *   `tags` (an observed-remove set: each add is its own key `lead/tag/dot`, a remove deletes
 *   the adds it has seen, so a tag added while another peer removes it stays — one key per
 *   lead and tag would not do: two concurrent adds of one key keep only one item, and if that
 *   one is then removed the other add is lost with it), `customers` (set once, never removed:
 *   stages only move forward).
 * Lead facts are never stored whole: they are folded from these maps, so concurrent captures
 * and team edits can never overwrite each other.
 */
import * as Y from 'yjs';
import type { ClientHints, PageView } from './capture.ts';

/** A page view without the visitor's profile: what each event adds to the doc. */
export interface StoredView {
  v: string; // visitor id
  t: number; // time
  u: string; // url
  r: string; // referrer
  ti: string; // title
  n: PageView['nav'];
}

/** The visitor's device profile, from their most recent event. */
export interface VisitorProfile {
  at: number;
  tz: string;
  languages: string[];
  ua: string;
  hints?: ClientHints;
  screen: [number, number];
  viewport: [number, number];
}

export function views(doc: Y.Doc): Y.Map<StoredView> {
  return doc.getMap<StoredView>('views');
}

export function visitors(doc: Y.Doc): Y.Map<VisitorProfile> {
  return doc.getMap<VisitorProfile>('visitors');
}

/**
 * Adds captured page views to the doc in one transaction. Views already present are skipped
 * (ingestion is idempotent); returns the visitor ids whose facts changed.
 */
export function addPageViews(
  doc: Y.Doc,
  events: readonly PageView[],
  origin?: unknown,
): Set<string> {
  const changed = new Set<string>();
  const viewMap = views(doc);
  const visitorMap = visitors(doc);
  doc.transact(() => {
    for (const e of events) {
      if (viewMap.has(e.id)) continue;
      viewMap.set(e.id, {
        v: e.visitorId,
        t: e.at,
        u: e.url,
        r: e.referrer,
        ti: e.title,
        n: e.nav,
      });
      const known = visitorMap.get(e.visitorId);
      if (!known || known.at < e.at) {
        const profile: VisitorProfile = {
          at: e.at,
          tz: e.tz,
          languages: e.languages,
          ua: e.ua,
          screen: e.screen,
          viewport: e.viewport,
        };
        if (e.hints) profile.hints = e.hints;
        visitorMap.set(e.visitorId, profile);
      }
      changed.add(e.visitorId);
    }
  }, origin);
  return changed;
}

/** Rebuilds full page views of one visitor from the doc (for folding into lead facts). */
export function pageViewsOf(doc: Y.Doc, eventIds: Iterable<string>, visitorId: string): PageView[] {
  const viewMap = views(doc);
  const profile = visitors(doc).get(visitorId);
  const out: PageView[] = [];
  for (const id of eventIds) {
    const s = viewMap.get(id);
    if (!s || s.v !== visitorId) continue;
    const view: PageView = {
      kind: 'pageview',
      id,
      visitorId,
      at: s.t,
      url: s.u,
      title: s.ti,
      referrer: s.r,
      nav: s.n,
      tz: profile?.tz ?? '',
      languages: profile?.languages ?? [],
      ua: profile?.ua ?? '',
      screen: profile?.screen ?? [0, 0],
      viewport: profile?.viewport ?? [0, 0],
    };
    if (profile?.hints) view.hints = profile.hints;
    out.push(view);
  }
  return out;
}

/**
 * Index of event ids by visitor, kept in step with the doc: built once on load, then updated
 * from the `views` map's change events. Returns the visitor ids touched by each change.
 */
export class VisitIndex {
  readonly #byVisitor = new Map<string, Set<string>>();

  constructor(doc: Y.Doc) {
    views(doc).forEach((view, id) => {
      this.#add(view.v, id);
    });
  }

  #add(visitorId: string, eventId: string): void {
    let set = this.#byVisitor.get(visitorId);
    if (!set) this.#byVisitor.set(visitorId, (set = new Set()));
    set.add(eventId);
  }

  /** Applies a `views` map change event; returns the visitors it touched. */
  apply(event: Y.YMapEvent<StoredView>): Set<string> {
    const touched = new Set<string>();
    const map = event.target;
    event.changes.keys.forEach((change, eventId) => {
      if (change.action === 'delete') {
        const old = change.oldValue as StoredView | undefined;
        if (old) {
          this.#byVisitor.get(old.v)?.delete(eventId);
          touched.add(old.v);
        }
        return;
      }
      const view = map.get(eventId);
      if (view) {
        this.#add(view.v, eventId);
        touched.add(view.v);
      }
    });
    return touched;
  }

  eventsOf(visitorId: string): ReadonlySet<string> {
    return this.#byVisitor.get(visitorId) ?? new Set();
  }

  visitorIds(): IterableIterator<string> {
    return this.#byVisitor.keys();
  }

  get visitorCount(): number {
    return this.#byVisitor.size;
  }
}

/** Who a lead is assigned to (`to: null`: unassigned). */
export interface Assignment {
  to: string | null;
  by: string;
  at: number;
}

/** Who did a one-off team edit, and when. */
export interface Mark {
  by: string;
  at: number;
}

export function assignments(doc: Y.Doc): Y.Map<Assignment> {
  return doc.getMap<Assignment>('assignments');
}

export function tags(doc: Y.Doc): Y.Map<Mark> {
  return doc.getMap<Mark>('tags');
}

export function customers(doc: Y.Doc): Y.Map<Mark> {
  return doc.getMap<Mark>('customers');
}

export const TAG_MAX = 40;

/** A tag as stored: trimmed, inner spaces collapsed, lower case, capped. */
export function normalizeTag(tag: string): string {
  return tag.trim().replace(/\s+/g, ' ').toLowerCase().slice(0, TAG_MAX);
}

/** The `tags` keys of one lead's tag start with this (lead ids never contain "/"). */
export function tagPrefix(leadId: string, tag: string): string {
  return `${leadId}/${normalizeTag(tag)}/`;
}

/** Splits a `tags` key back into lead id and tag. */
export function splitTagKey(key: string): { leadId: string; tag: string } {
  const first = key.indexOf('/');
  const last = key.lastIndexOf('/');
  return { leadId: key.slice(0, first), tag: key.slice(first + 1, last) };
}

export function assignLead(doc: Y.Doc, leadId: string, to: string | null, by: string): void {
  assignments(doc).set(leadId, { to, by, at: Date.now() });
}

export function markCustomer(doc: Y.Doc, leadId: string, by: string): void {
  if (!customers(doc).has(leadId)) customers(doc).set(leadId, { by, at: Date.now() });
}

/** What teammates decided about a lead: what the projection adds to the lead's facts. */
export interface TeamFacts {
  assignee: string | null;
  tags: string[];
  customer: boolean;
}

/**
 * The tags of every lead, following the `tags` map (a lead has a tag while at least one of its
 * adds is there), and the way to change them: adding needs to know whether the lead already
 * has the tag, removing needs every add of it — questions the map alone answers only by
 * scanning every key. `onChange` hears which leads each change touched.
 */
export class TagIndex {
  readonly #doc: Y.Doc;
  /** Lead → tag → the keys of its adds. */
  readonly #byLead = new Map<string, Map<string, Set<string>>>();
  /** Leads per tag. */
  readonly #leads = new Map<string, number>();

  constructor(doc: Y.Doc, onChange: (leads: Set<string>, origin: unknown) => void = () => {}) {
    this.#doc = doc;
    tags(doc).forEach((_mark, key) => {
      this.#count(key, true);
    });
    tags(doc).observe((event) => {
      const touched = new Set<string>();
      event.changes.keys.forEach((change, key) => {
        if (change.action === 'add') touched.add(this.#count(key, true));
        else if (change.action === 'delete') touched.add(this.#count(key, false));
      });
      onChange(touched, event.transaction.origin);
    });
  }

  #count(key: string, added: boolean): string {
    const { leadId, tag } = splitTagKey(key);
    let lead = this.#byLead.get(leadId);
    if (!lead) this.#byLead.set(leadId, (lead = new Map<string, Set<string>>()));
    let keys = lead.get(tag);
    if (!keys) lead.set(tag, (keys = new Set<string>()));
    const had = keys.size > 0;
    if (added) keys.add(key);
    else keys.delete(key);
    const has = keys.size > 0;
    if (!has) lead.delete(tag);
    if (lead.size === 0) this.#byLead.delete(leadId);
    // The lead gained or lost the tag (not just another add of it).
    if (had !== has) {
      const n = (this.#leads.get(tag) ?? 0) + (has ? 1 : -1);
      if (n > 0) this.#leads.set(tag, n);
      else this.#leads.delete(tag);
    }
    return leadId;
  }

  has(leadId: string, tag: string): boolean {
    return this.#byLead.get(leadId)?.has(normalizeTag(tag)) ?? false;
  }

  tagsOf(leadId: string): string[] {
    return [...(this.#byLead.get(leadId)?.keys() ?? [])].sort();
  }

  /** Every tag in use, for suggestions. */
  allTags(): string[] {
    return [...this.#leads.keys()].sort();
  }

  /** Tags a lead (nothing when it already has the tag). */
  add(leadId: string, tag: string, by: string): void {
    if (!normalizeTag(tag) || this.has(leadId, tag)) return;
    const doc = this.#doc;
    // The dot (this peer's id and its next clock) makes every add a key of its own.
    const dot = `${doc.clientID.toString(36)}.${String(Y.getState(doc.store, doc.clientID))}`;
    tags(doc).set(tagPrefix(leadId, tag) + dot, { by, at: Date.now() });
  }

  /** Removes the tag: every add of it this peer has seen. */
  remove(leadId: string, tag: string): void {
    const keys = [...(this.#byLead.get(leadId)?.get(normalizeTag(tag)) ?? [])];
    this.#doc.transact(() => {
      for (const key of keys) tags(this.#doc).delete(key);
    });
  }
}

export function teamFactsOf(doc: Y.Doc, tagIndex: TagIndex, leadId: string): TeamFacts {
  return {
    assignee: assignments(doc).get(leadId)?.to ?? null,
    tags: tagIndex.tagsOf(leadId),
    customer: customers(doc).has(leadId),
  };
}
