import { describe, expect, it } from 'vitest';
import { parseClaim } from '../../src/core/ledger.ts';
import { matchReplies, SAVED_REPLIES_MAX, type SavedReply } from '../../src/core/saved-replies.ts';

const replies: SavedReply[] = [
  { id: 'a', title: 'Pricing', text: 'Plans start at 25 € a month; we ship invoices monthly.' },
  { id: 'b', title: 'Shipping', text: 'We ship to all of Europe.' },
  { id: 'c', title: 'Hours', text: 'We answer 9–17.' },
];

describe('saved replies', () => {
  it('matches titles that start with the query first, then titles or texts that contain it', () => {
    expect(matchReplies(replies, 'ship').map((r) => r.id)).toEqual(['b', 'a']);
    expect(matchReplies(replies, ' HOU').map((r) => r.id)).toEqual(['c']);
    expect(matchReplies(replies, '').map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(matchReplies(replies, 'zzz')).toEqual([]);
  });

  it('a signed list must be well formed: titled, not empty, ids unique, within the limit', () => {
    const claim = (value: unknown) =>
      parseClaim(JSON.stringify({ kind: 'setting', name: 'savedReplies', value, at: 1 }));
    expect(claim(replies)).toBeDefined();
    expect(claim([])).toBeDefined();
    expect(claim([{ id: 'a', title: ' ', text: 'x' }])).toBeUndefined();
    expect(claim([{ id: 'a', title: 'T', text: '' }])).toBeUndefined();
    expect(claim([replies[0], { ...replies[1], id: 'a' }])).toBeUndefined();
    expect(claim([{ id: 'a', title: 'T', text: 'x', html: '<b>' }])).toBeUndefined();
    const many = Array.from({ length: SAVED_REPLIES_MAX + 1 }, (_, i) => ({
      id: String(i),
      title: 'T',
      text: 'x',
    }));
    expect(claim(many)).toBeUndefined();
  });
});
