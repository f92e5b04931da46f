/**
 * Replicated maps kept as entries of one Y.Array: what the team doc holds per lead.
 *
 * Why not a Y.Map per kind: every browser applies the whole team doc at every load, and Yjs
 * integrates each map entry as an item of its own. In one list, a member's successive entries —
 * of any kind — are stored as one item. One list for all kinds, because entries of two lists
 * written in turn (assign, tag, assign…) would again be an item each. And an entry is one
 * string, `kind key NUL value-as-JSON`: Yjs decodes each string, array and object of a value
 * on its own, and one string per entry loads about five times faster than `[kind, key, {…}]`.
 * Values are parsed when read.
 *
 * Semantics are a Y.Map's, for every peer alike: a key's value is its rightmost entry in the
 * list (the list's order is the same everywhere, so concurrent writes settle on one); writing a
 * key appends an entry and deletes the entries of it this peer has seen; deleting a key deletes
 * them. A concurrent write is not deleted, so it stays — the same outcome as on a Y.Map.
 *
 * Each kind was a Y.Map before: entries older browsers wrote there are read beneath the list's,
 * and leave it as soon as their key is written here.
 */
import { ObservableV2 } from 'lib0/observable';
import type * as Y from 'yjs';

/** `kind` (one character), the key, NUL, the value as JSON (which never holds a raw NUL). */
type Entry = string;

const SEPARATOR = '\u0000';

/** The live entries of a kind nothing was written of yet. */
const NONE: ReadonlyMap<string, Entry> = new Map();

function entryOf(kind: string, key: string, value: unknown): Entry {
  return `${kind}${key}${SEPARATOR}${JSON.stringify(value)}`;
}

/** The key of an entry, or undefined when it is not one (a modified client's junk). */
function keyOf(entry: unknown): string | undefined {
  if (typeof entry !== 'string') return undefined;
  const end = entry.lastIndexOf(SEPARATOR);
  return end > 0 ? entry.slice(1, end) : undefined;
}

function valueOf(entry: Entry): unknown {
  try {
    return JSON.parse(entry.slice(entry.lastIndexOf(SEPARATOR) + 1));
  } catch {
    return undefined;
  }
}

export interface ListMapEvents {
  /** Keys whose value may have changed (read them again), and the change's origin. */
  change: (keys: Set<string>, origin: unknown) => void;
}

/** The doc's list of entries, and each kind's live entries by key. */
class Entries {
  readonly doc: Y.Doc;
  readonly list: Y.Array<Entry>;
  /** Kind → key → its value's entry: the rightmost live one. */
  readonly live = new Map<string, Map<string, Entry>>();
  /** Every live entry, in list order, of a key that has more than one (written concurrently). */
  readonly #several = new Map<string, Entry[]>();
  readonly views = new Map<string, ListMap<unknown>>();

  constructor(doc: Y.Doc) {
    this.doc = doc;
    this.list = doc.getArray<Entry>('entries');
    for (const entry of this.list) {
      const key = keyOf(entry);
      if (key !== undefined) this.#add(entry, key);
    }
    this.list.observe(this.#changed);
  }

  #changed = (event: Y.YArrayEvent<Entry>): void => {
    const touched = new Map<string, Set<string>>();
    let several = false;
    // Walked here rather than read from `event.changes`, which concatenates the inserted
    // values item by item: quadratic when a whole stored doc is applied at once.
    for (let item = this.list._start; item !== null; item = item.right) {
      const deleted = item.deleted;
      if (deleted ? !event.deletes(item) || event.adds(item) : !event.adds(item)) continue;
      for (const entry of item.content.getContent()) {
        const key = keyOf(entry);
        if (key === undefined) continue;
        const text = entry as Entry;
        if (deleted) this.#drop(text, key);
        else several = this.#add(text, key) || several;
        const kind = text.charAt(0);
        const keys = touched.get(kind);
        if (keys) keys.add(key);
        else touched.set(kind, new Set([key]));
      }
    }
    // A key written concurrently elsewhere: which of its entries is rightmost?
    if (several) this.#order();
    const origin: unknown = event.transaction.origin;
    for (const [kind, keys] of touched) this.views.get(kind)?.emit('change', [keys, origin]);
  };

  #keysOf(kind: string): Map<string, Entry> {
    let keys = this.live.get(kind);
    if (!keys) this.live.set(kind, (keys = new Map<string, Entry>()));
    return keys;
  }

  /** Whether the entry's key now has several live entries. */
  #add(entry: Entry, key: string): boolean {
    const kind = entry.charAt(0);
    const keys = this.#keysOf(kind);
    const current = keys.get(key);
    keys.set(key, entry);
    if (current === undefined) return false;
    const id = kind + key;
    const several = this.#several.get(id);
    if (several) several.push(entry);
    else this.#several.set(id, [current, entry]);
    return true;
  }

  #drop(entry: Entry, key: string): void {
    const kind = entry.charAt(0);
    const keys = this.#keysOf(kind);
    const several = this.#several.get(kind + key);
    if (!several) {
      if (keys.get(key) === entry) keys.delete(key);
      return;
    }
    // Entries are strings: two alike are one value, and dropping either leaves the other.
    const at = several.lastIndexOf(entry);
    if (at >= 0) several.splice(at, 1);
    if (several.length < 2) this.#several.delete(kind + key);
    const last = several[several.length - 1];
    if (last === undefined) keys.delete(key);
    else keys.set(key, last);
  }

  /** The live entries of a key, in list order. */
  seen(kind: string, key: string): Entry[] {
    const several = this.#several.get(kind + key);
    if (several) return [...several];
    const entry = this.live.get(kind)?.get(key);
    return entry === undefined ? [] : [entry];
  }

  /** Puts the entries of keys with several back in list order (one pass over the list). */
  #order(): void {
    const ordered = new Map<string, Entry[]>();
    for (const entry of this.list) {
      const key = keyOf(entry);
      if (key === undefined) continue;
      const id = entry.charAt(0) + key;
      if (!this.#several.has(id)) continue;
      const entries = ordered.get(id);
      if (entries) entries.push(entry);
      else ordered.set(id, [entry]);
    }
    for (const [id, entries] of ordered) {
      this.#several.set(id, entries);
      const last = entries[entries.length - 1];
      if (last !== undefined) this.#keysOf(id.charAt(0)).set(id.slice(1), last);
    }
  }

  /** Deletes these entries from the list: one pass to find them, stopping at the last. */
  delete(doomed: readonly Entry[]): void {
    if (!doomed.length) return;
    const left = new Map<Entry, number>();
    for (const entry of doomed) left.set(entry, (left.get(entry) ?? 0) + 1);
    let count = doomed.length;
    const at: number[] = [];
    let i = 0;
    for (const entry of this.list) {
      const n = left.get(entry);
      if (n) {
        left.set(entry, n - 1);
        at.push(i);
        if (--count === 0) break;
      }
      i++;
    }
    // From the right, so the indexes still to delete stay where they were.
    for (let j = at.length - 1; j >= 0; j--) this.list.delete(at[j] ?? 0, 1);
  }
}

/** One kind's map: a key's value is its last live entry, else what older browsers wrote. */
export class ListMap<V> extends ObservableV2<ListMapEvents> {
  readonly #entries: Entries;
  readonly #kind: string;
  readonly #legacy: Y.Map<V>;

  constructor(entries: Entries, kind: string, legacy: Y.Map<V>) {
    super();
    this.#entries = entries;
    this.#kind = kind;
    this.#legacy = legacy;
    legacy.observe((event) => {
      this.emit('change', [event.keysChanged, event.transaction.origin]);
    });
  }

  get #live(): ReadonlyMap<string, Entry> {
    return this.#entries.live.get(this.#kind) ?? NONE;
  }

  get(key: string): V | undefined {
    const entry = this.#live.get(key);
    return entry === undefined ? this.#legacy.get(key) : (valueOf(entry) as V);
  }

  has(key: string): boolean {
    return this.#live.has(key) || this.#legacy.has(key);
  }

  set(key: string, value: V): void {
    this.setAll([[key, value]]);
  }

  /** Writes many keys at once: one entry each, one pass to delete what they replace. */
  setAll(pairs: Iterable<readonly [string, V]>): void {
    const written: Entry[] = [];
    const keys: string[] = [];
    const seen: Entry[] = [];
    for (const [key, value] of pairs) {
      written.push(entryOf(this.#kind, key, value));
      keys.push(key);
      for (const entry of this.#entries.seen(this.#kind, key)) seen.push(entry);
    }
    this.#entries.doc.transact(() => {
      this.#entries.list.push(written);
      this.#entries.delete(seen);
      for (const key of keys) if (this.#legacy.has(key)) this.#legacy.delete(key);
    });
  }

  delete(key: string): void {
    this.deleteAll([key]);
  }

  /** Deletes many keys at once: one pass over the list. */
  deleteAll(keys: Iterable<string>): void {
    const seen: Entry[] = [];
    const legacy: string[] = [];
    for (const key of keys) {
      for (const entry of this.#entries.seen(this.#kind, key)) seen.push(entry);
      if (this.#legacy.has(key)) legacy.push(key);
    }
    this.#entries.doc.transact(() => {
      this.#entries.delete(seen);
      for (const key of legacy) this.#legacy.delete(key);
    });
  }

  /** Every key and its value: the list's, then older browsers' not written since. */
  *entries(): IterableIterator<[string, V]> {
    const live = this.#live;
    for (const [key, entry] of live) yield [key, valueOf(entry) as V];
    for (const [key, value] of this.#legacy.entries()) {
      if (!live.has(key)) yield [key, value];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** Every key (values are not parsed). */
  *keys(): IterableIterator<string> {
    const live = this.#live;
    yield* live.keys();
    for (const key of this.#legacy.keys()) if (!live.has(key)) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  get size(): number {
    const live = this.#live;
    let n = live.size;
    for (const key of this.#legacy.keys()) if (!live.has(key)) n++;
    return n;
  }

  toJSON(): Record<string, V> {
    return Object.fromEntries(this.entries());
  }
}

const entriesOf = new WeakMap<Y.Doc, Entries>();

/**
 * The one view of a doc's map of `kind` (one character: it starts every entry), read above the
 * Y.Map `legacy` older browsers wrote. Made once per doc: it indexes the list.
 */
export function listMap<V>(doc: Y.Doc, kind: string, legacy: string): ListMap<V> {
  let entries = entriesOf.get(doc);
  if (!entries) entriesOf.set(doc, (entries = new Entries(doc)));
  let view = entries.views.get(kind);
  if (!view)
    entries.views.set(kind, (view = new ListMap<unknown>(entries, kind, doc.getMap(legacy))));
  return view as ListMap<V>;
}
