/**
 * What teammates write, replicated: one Y.Doc per workspace, shared by every teammate's browser.
 * What visitors did is not in it: page views are immutable facts every browser reads from the
 * same relay log and keeps in its own storage (see lead.ts), so they need no CRDT.
 *
 * Layout rule (see TECH-NOTES on Yjs races): keyed so that two peers never race on one value
 * with different content.
 * - `ledger` (a Y.Map): signed team records (members, roles, admin settings, and the
 *   workspace's own name and intake key, signed by the owner); see ledger.ts.
 * - Team edits on leads: one map per kind, each a view of the one list of entries every kind
 *   shares (see list-map.ts: applied at every load, a list costs a fraction of Y.Maps), never
 *   a nested map per lead:
 *   `assignments` (a register per lead: concurrent assigns settle on one, the same everywhere),
 *   `tags` (an observed-remove set: each add is its own key `lead/tag/dot`, a remove deletes
 *   the adds it has seen, so a tag added while another peer removes it stays), `customers`
 *   (set once, never removed: stages only move forward), `messages` (what teammates wrote to
 *   visitors: each message its own key `lead/message id`, written once, so two agents replying
 *   at once both land), `reads` (up to when each member has read each conversation: key
 *   `lead/member`, only that member writes), `blocks` (a register per lead: a blocked visitor,
 *   and the log seq after which their messages are dropped; unblocking deletes it).
 * - `sweeps` (a Y.Map): each member's latest retention sweep, keyed by member id (only that
 *   member writes it): one small entry per member however many leads are swept (see sweep.ts).
 */
import * as Y from 'yjs';
import type { ConversationMessage } from './conversation.ts';
import type { TeamFacts } from './lead.ts';
import { listMap, type ListMap } from './list-map.ts';
import type { SweepRecord } from './sweep.ts';

/**
 * Who a lead is assigned to (`to: null`: unassigned). Only that: the doc is applied whole at
 * every load, and each field of its most numerous values costs there (older browsers also
 * wrote who assigned and when; nothing reads them).
 */
export interface Assignment {
  to: string | null;
}

/** Who did a one-off team edit, and when. */
export interface Mark {
  by: string;
  at: number;
}

/** A message a teammate (or the auto-reply, on a teammate's browser) wrote to a visitor. */
export interface TeamMessage {
  by: string;
  at: number;
  text: string;
  auto?: boolean;
}

export function messages(doc: Y.Doc): ListMap<TeamMessage> {
  return listMap<TeamMessage>(doc, 'm', 'messages');
}

/** A blocked visitor: their messages after `after` (a log seq) are dropped. */
export interface Block extends Mark {
  after: number;
}

export function blocks(doc: Y.Doc): ListMap<Block> {
  return listMap<Block>(doc, 'b', 'blocks');
}

/** Up to when a member has read a lead's conversation: key `lead/member`, written by that member. */
export function reads(doc: Y.Doc): ListMap<number> {
  return listMap<number>(doc, 'r', 'reads');
}

export function sweeps(doc: Y.Doc): Y.Map<SweepRecord> {
  return doc.getMap<SweepRecord>('sweeps');
}

export function assignments(doc: Y.Doc): ListMap<Assignment> {
  return listMap<Assignment>(doc, 'a', 'assignments');
}

/**
 * A tag's adds: the key says it all, the value is `true` (older browsers wrote who and when;
 * nothing reads them).
 */
export function tags(doc: Y.Doc): ListMap<unknown> {
  return listMap(doc, 't', 'tags');
}

export function customers(doc: Y.Doc): ListMap<Mark> {
  return listMap<Mark>(doc, 'c', 'customers');
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

export function assignLead(doc: Y.Doc, leadId: string, to: string | null): void {
  assignments(doc).set(leadId, { to });
}

export function markCustomer(doc: Y.Doc, leadId: string, by: string, at: number): void {
  if (!customers(doc).has(leadId)) customers(doc).set(leadId, { by, at });
}

/** Where a lead's adds (`tag, key, tag, key…`) hold this key's pair: the key's index, or -1. */
function keyAt(adds: readonly string[], key: string): number {
  for (let i = 1; i < adds.length; i += 2) if (adds[i] === key) return i;
  return -1;
}

/** Whether a lead's adds (`tag, key, tag, key…`) hold one of this tag. */
function hasTag(adds: readonly string[], tag: string): boolean {
  for (let i = 0; i < adds.length; i += 2) if (adds[i] === tag) return true;
  return false;
}

/**
 * The tags of every lead, following the `tags` map (a lead has a tag while at least one of its
 * adds is there), and the way to change them: adding needs to know whether the lead already
 * has the tag, removing needs every add of it — questions the map alone answers only by
 * scanning every key. `onChange` hears which leads each change touched.
 */
export class TagIndex {
  readonly #doc: Y.Doc;
  /** Lead → its adds as `tag, key, tag, key…` (a lead has a few; no Map or Set each). */
  readonly #byLead = new Map<string, string[]>();
  /** Leads per tag. */
  readonly #leads = new Map<string, number>();

  constructor(doc: Y.Doc, onChange: (leads: Set<string>, origin: unknown) => void = () => {}) {
    this.#doc = doc;
    const map = tags(doc);
    for (const key of map.keys()) this.#count(key, true);
    map.on('change', (keys, origin) => {
      const touched = new Set<string>();
      for (const key of keys) touched.add(this.#count(key, map.has(key)));
      onChange(touched, origin);
    });
  }

  #count(key: string, added: boolean): string {
    const { leadId, tag } = splitTagKey(key);
    let adds = this.#byLead.get(leadId);
    const had = adds !== undefined && hasTag(adds, tag);
    const at = adds ? keyAt(adds, key) : -1;
    if (added && at < 0) {
      if (adds) adds.push(tag, key);
      else this.#byLead.set(leadId, (adds = [tag, key]));
    } else if (!added && adds && at >= 0) {
      adds.splice(at - 1, 2);
      if (!adds.length) this.#byLead.delete(leadId);
    }
    const has = adds !== undefined && hasTag(adds, tag);
    // The lead gained or lost the tag (not just another add of it).
    if (had !== has) {
      const n = (this.#leads.get(tag) ?? 0) + (has ? 1 : -1);
      if (n > 0) this.#leads.set(tag, n);
      else this.#leads.delete(tag);
    }
    return leadId;
  }

  /** The keys of the lead's adds of this tag. */
  #addsOf(leadId: string, tag: string): string[] {
    const wanted = normalizeTag(tag);
    const adds = this.#byLead.get(leadId) ?? [];
    const keys: string[] = [];
    for (let i = 0; i < adds.length; i += 2) if (adds[i] === wanted) keys.push(adds[i + 1] ?? '');
    return keys;
  }

  has(leadId: string, tag: string): boolean {
    const adds = this.#byLead.get(leadId);
    return adds !== undefined && hasTag(adds, normalizeTag(tag));
  }

  tagsOf(leadId: string): string[] {
    const adds = this.#byLead.get(leadId) ?? [];
    const tags = new Set<string>();
    for (let i = 0; i < adds.length; i += 2) tags.add(adds[i] ?? '');
    return [...tags].sort();
  }

  /** Every tag in use, for suggestions. */
  allTags(): string[] {
    return [...this.#leads.keys()].sort();
  }

  /** Tags a lead (nothing when it already has the tag). */
  add(leadId: string, tag: string): void {
    this.addAll([[leadId, tag]]);
  }

  /** Tags many leads at once (each pair a lead and a tag), in one write. */
  addAll(tagged: Iterable<readonly [string, string]>): void {
    const doc = this.#doc;
    // The dot (this peer's id and a clock of its own) makes every add a key of its own.
    const peer = doc.clientID.toString(36);
    let clock = Y.getState(doc.store, doc.clientID);
    const adds: [string, true][] = [];
    const added = new Set<string>();
    for (const [leadId, tag] of tagged) {
      const prefix = tagPrefix(leadId, tag);
      if (!normalizeTag(tag) || this.has(leadId, tag) || added.has(prefix)) continue;
      added.add(prefix);
      adds.push([`${prefix}${peer}.${String(clock++)}`, true]);
    }
    if (adds.length) tags(doc).setAll(adds);
  }

  /** Removes the tag: every add of it this peer has seen. */
  remove(leadId: string, tag: string): void {
    tags(this.#doc).deleteAll(this.#addsOf(leadId, tag));
  }
}

/**
 * The keys of a map keyed `lead/…`, by lead, following the map; `onChange` hears which leads
 * each change touched (any change: a key added, deleted or given a new value).
 */
class KeysByLead<T> {
  readonly #byLead = new Map<string, Set<string>>();

  constructor(map: ListMap<T>, onChange: (leads: Set<string>, origin: unknown) => void) {
    for (const key of map.keys()) this.#index(key, true);
    map.on('change', (keys, origin) => {
      const touched = new Set<string>();
      for (const key of keys) touched.add(this.#index(key, map.has(key)));
      onChange(touched, origin);
    });
  }

  #index(key: string, present: boolean): string {
    const leadId = key.slice(0, key.indexOf('/'));
    let keys = this.#byLead.get(leadId);
    if (!keys) this.#byLead.set(leadId, (keys = new Set()));
    if (present) keys.add(key);
    else keys.delete(key);
    if (keys.size === 0) this.#byLead.delete(leadId);
    return leadId;
  }

  of(leadId: string): Iterable<string> {
    return this.#byLead.get(leadId) ?? [];
  }

  has(leadId: string): boolean {
    return this.#byLead.has(leadId);
  }
}

/** Every member's read marks of each lead, following the `reads` map. */
export class ReadIndex {
  readonly #doc: Y.Doc;
  readonly #keys: KeysByLead<number>;

  constructor(doc: Y.Doc, onChange: (leads: Set<string>, origin: unknown) => void = () => {}) {
    this.#doc = doc;
    this.#keys = new KeysByLead(reads(doc), onChange);
  }

  of(leadId: string): Record<string, number> {
    const map = reads(this.#doc);
    const out: Record<string, number> = {};
    for (const key of this.#keys.of(leadId)) {
      const at = map.get(key);
      if (at !== undefined) out[key.slice(leadId.length + 1)] = at;
    }
    return out;
  }

  /** Marks the conversation read by `member` up to `at` (never back in time). */
  mark(leadId: string, member: string, at: number): void {
    const key = `${leadId}/${member}`;
    if ((reads(this.#doc).get(key) ?? 0) < at) reads(this.#doc).set(key, at);
  }
}

/** The team's messages of each lead, following the `messages` map. */
export class MessageIndex {
  readonly #doc: Y.Doc;
  readonly #keys: KeysByLead<TeamMessage>;

  constructor(doc: Y.Doc, onChange: (leads: Set<string>, origin: unknown) => void = () => {}) {
    this.#doc = doc;
    this.#keys = new KeysByLead(messages(doc), onChange);
  }

  has(leadId: string): boolean {
    return this.#keys.has(leadId);
  }

  /** The team's latest message to a lead. */
  last(leadId: string): { at: number; text: string } | undefined {
    let last: TeamMessage | undefined;
    const map = messages(this.#doc);
    for (const key of this.#keys.of(leadId)) {
      const m = map.get(key);
      if (m && (!last || m.at > last.at)) last = m;
    }
    return last && { at: last.at, text: last.text };
  }

  /** The team's messages to a lead, as conversation lines (in no particular order). */
  of(leadId: string): ConversationMessage[] {
    const map = messages(this.#doc);
    const out: ConversationMessage[] = [];
    for (const key of this.#keys.of(leadId)) {
      const m = map.get(key);
      if (!m) continue;
      const line: ConversationMessage = {
        id: key.slice(leadId.length + 1),
        at: m.at,
        from: 'team',
        text: m.text,
        by: m.by,
      };
      if (m.auto) line.auto = true;
      out.push(line);
    }
    return out;
  }

  /** Writes a message to a lead; its id is the key's second half. */
  write(leadId: string, id: string, message: TeamMessage): void {
    messages(this.#doc).set(`${leadId}/${id}`, message);
  }
}

/** The indexes team facts are read from. */
export interface TeamIndexes {
  tags: TagIndex;
  messages: MessageIndex;
  reads: ReadIndex;
}

export function teamFactsOf(doc: Y.Doc, index: TeamIndexes, leadId: string): TeamFacts {
  const facts: TeamFacts = {
    assignee: assignments(doc).get(leadId)?.to ?? null,
    tags: index.tags.tagsOf(leadId),
    customer: customers(doc).has(leadId),
    messaged: index.messages.has(leadId),
    readBy: index.reads.of(leadId),
  };
  const last = index.messages.last(leadId);
  if (last) facts.lastMessage = last;
  const block = blocks(doc).get(leadId);
  if (block) facts.blockedAfter = block.after;
  return facts;
}
