import { describe, expect, it } from 'vitest';
import { matesOnline } from '../../src/app/shell/team-online.ts';

describe('matesOnline', () => {
  it('lists each teammate once, by name, without me; the tab with a lead open wins', () => {
    const online = [
      { memberId: 'me', name: 'Ada' },
      { memberId: 'g', name: 'Grace' },
      { memberId: 'g', name: 'Grace', viewing: 'lead-1', viewingName: 'Rose Elk' },
      { memberId: 'g', name: 'Grace' },
      { memberId: 'b', name: 'Barbara' },
    ];
    expect(matesOnline(online, 'me')).toEqual([
      { memberId: 'b', name: 'Barbara' },
      { memberId: 'g', name: 'Grace', viewing: 'lead-1', viewingName: 'Rose Elk' },
    ]);
    expect(matesOnline([{ memberId: 'me', name: 'Ada' }], 'me')).toEqual([]);
  });
});
