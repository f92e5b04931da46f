import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { listMap } from '../../src/core/list-map.ts';

/** Both docs get what the other has. */
function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

const view = (doc: Y.Doc) => listMap<{ to: string | null }>(doc, 'a', 'assignments');
const entries = (doc: Y.Doc) => doc.getArray('entries').length;

describe('a map kept as entries of a list', () => {
  it('reads and writes as a map, one live entry per key', () => {
    const doc = new Y.Doc();
    const map = view(doc);
    map.set('lead1', { to: 'ada' });
    map.set('lead2', { to: null });
    map.set('lead1', { to: 'grace' });
    expect(map.get('lead1')).toEqual({ to: 'grace' });
    expect(map.has('lead2')).toBe(true);
    expect(map.size).toBe(2);
    expect(map.toJSON()).toEqual({ lead1: { to: 'grace' }, lead2: { to: null } });
    // The value it replaced is gone from the list, not only from sight.
    expect(entries(doc)).toBe(2);
    map.deleteAll(['lead1', 'lead2', 'nobody']);
    expect(map.size).toBe(0);
    expect(entries(doc)).toBe(0);
    expect(map.get('lead1')).toBeUndefined();
  });

  it('is the same view for every caller, and kinds do not mix', () => {
    const doc = new Y.Doc();
    expect(view(doc)).toBe(view(doc));
    const other = listMap<number>(doc, 'r', 'reads');
    other.set('lead1', 5);
    view(doc).set('lead1', { to: 'ada' });
    expect(other.get('lead1')).toBe(5);
    expect([...view(doc).keys()]).toEqual(['lead1']);
  });

  it('settles concurrent writes of a key on one value everywhere, and the next write replaces both', () => {
    // Which write lands rightmost depends on the two peers' ids: enough pairs to see both.
    const winners = new Set<string>();
    for (let run = 0; run < 20; run++) {
      const a = new Y.Doc();
      const b = new Y.Doc();
      view(a).set('lead1', { to: 'ada' });
      sync(a, b);
      view(a).set('lead1', { to: 'grace' });
      view(b).set('lead1', { to: 'linus' });
      sync(a, b);
      const winner = view(a).get('lead1')?.to ?? '';
      expect(view(b).get('lead1')?.to).toBe(winner);
      // The list's order decides, as Y.Map's own conflict rule would.
      const last = a.getArray<string>('entries').toArray().at(-1) ?? '';
      expect(last).toContain(winner);
      winners.add(winner);
      expect(entries(a)).toBe(2);
      view(b).set('lead1', { to: 'ada' });
      sync(a, b);
      expect(view(a).get('lead1')).toEqual({ to: 'ada' });
      expect(entries(a)).toBe(1);
    }
    expect(winners).toEqual(new Set(['grace', 'linus']));
  });

  it('keeps a write made while another peer deletes the key (it had not seen it)', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    view(a).set('lead1', { to: 'ada' });
    sync(a, b);
    view(a).delete('lead1');
    view(b).set('lead1', { to: 'grace' });
    sync(a, b);
    expect(view(a).get('lead1')).toEqual({ to: 'grace' });
    expect(view(b).get('lead1')).toEqual({ to: 'grace' });
  });

  it('reads what older browsers wrote in the Y.Map beneath, until the key is written here', () => {
    const doc = new Y.Doc();
    const legacy = doc.getMap('assignments');
    legacy.set('lead1', { to: 'ada' });
    legacy.set('lead2', { to: 'grace' });
    const map = view(doc);
    const heard: string[][] = [];
    map.on('change', (keys) => heard.push([...keys]));
    expect(map.get('lead1')).toEqual({ to: 'ada' });
    expect(map.size).toBe(2);
    map.set('lead1', { to: 'linus' });
    expect(legacy.has('lead1')).toBe(false);
    expect(map.get('lead1')).toEqual({ to: 'linus' });
    map.delete('lead2');
    expect(legacy.size).toBe(0);
    expect(map.toJSON()).toEqual({ lead1: { to: 'linus' } });
    // An older browser still writing is heard too.
    legacy.set('lead3', { to: 'ada' });
    expect(map.get('lead3')).toEqual({ to: 'ada' });
    expect(heard.flat()).toEqual(expect.arrayContaining(['lead1', 'lead2', 'lead3']));
  });

  it('tells which keys changed, with the origin, for a write here and for a whole doc applied', () => {
    const a = new Y.Doc();
    const heard: [string[], unknown][] = [];
    view(a).on('change', (keys, origin) => heard.push([[...keys].sort(), origin]));
    a.transact(() => {
      view(a).setAll([
        ['lead1', { to: 'ada' }],
        ['lead2', { to: 'ada' }],
      ]);
    }, 'mine');
    expect(heard).toEqual([[['lead1', 'lead2'], 'mine']]);

    const b = new Y.Doc();
    const heardB: string[][] = [];
    view(b).on('change', (keys) => heardB.push([...keys].sort()));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), 'stored');
    expect(heardB).toEqual([['lead1', 'lead2']]);
    // A view made after the doc was applied reads the same.
    const c = new Y.Doc();
    Y.applyUpdate(c, Y.encodeStateAsUpdate(a));
    expect(view(c).toJSON()).toEqual(view(b).toJSON());
  });

  it("stores one member's successive writes as one item, however many", () => {
    const doc = new Y.Doc();
    for (let i = 0; i < 500; i++) view(doc).set(`lead${String(i)}`, { to: 'ada' });
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    expect(copy.store.clients.get(doc.clientID)?.length).toBe(1);
    expect(view(copy).size).toBe(500);
  });

  it("ignores what is not an entry (a modified client's junk) and reads the rest", () => {
    const doc = new Y.Doc();
    const list = doc.getArray<unknown>('entries');
    list.push([42, 'no separator', { a: 1 }, 'alead1\u0000{bad json', null]);
    view(doc).set('lead2', { to: 'ada' });
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    expect([...view(copy).keys()].sort()).toEqual(['lead1', 'lead2']);
    expect(view(copy).get('lead1')).toBeUndefined();
    expect(view(copy).get('lead2')).toEqual({ to: 'ada' });
  });
});
