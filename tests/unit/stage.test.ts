import { describe, expect, it } from 'vitest';
import { STAGE_NAMES, stageOf, stageRank, STAGES, type Stage } from '../../src/core/stage.ts';

describe('stages', () => {
  it.each<{ named: boolean; messaged: boolean; customer: boolean; stage: Stage }>([
    { named: false, messaged: false, customer: false, stage: 'L1' },
    { named: true, messaged: false, customer: false, stage: 'L2' },
    { named: false, messaged: true, customer: false, stage: 'L3' },
    { named: true, messaged: true, customer: false, stage: 'L3' },
    { named: false, messaged: false, customer: true, stage: 'L4' },
    { named: true, messaged: false, customer: true, stage: 'L4' },
    { named: false, messaged: true, customer: true, stage: 'L4' },
    { named: true, messaged: true, customer: true, stage: 'L4' },
  ])('named $named, messaged $messaged, customer $customer → $stage', (facts) => {
    expect(stageOf(facts)).toBe(facts.stage);
  });

  it('names the stages as the guide does', () => {
    expect(STAGE_NAMES).toEqual({
      L1: 'New Visitor',
      L2: 'Engaged',
      L3: 'Contacted',
      L4: 'Customer',
    });
  });

  it('ranks L1 < L2 < L3 < L4', () => {
    expect(STAGES.map(stageRank)).toEqual([1, 2, 3, 4]);
  });

  it('never goes backwards as facts accumulate in any order', () => {
    const keys = ['named', 'messaged', 'customer'] as const;
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const order of orders) {
      const facts = { named: false, messaged: false, customer: false };
      let rank = stageRank(stageOf(facts));
      for (const i of order) {
        const key = keys[i];
        if (key) facts[key] = true;
        const next = stageRank(stageOf(facts));
        expect(next).toBeGreaterThanOrEqual(rank);
        rank = next;
      }
      expect(stageOf(facts)).toBe('L4');
    }
  });
});
