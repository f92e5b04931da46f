/**
 * Lead stages (SPEC §3): L1 New Visitor → L2 Engaged (gave a name) → L3 Contacted (a message
 * either way) → L4 Customer (marked by a teammate). The stage is derived from monotonic facts —
 * once named, messaged or a customer, always so — so it can never go backwards, and peers that
 * learn the facts in different orders agree.
 */

export type Stage = 'L1' | 'L2' | 'L3' | 'L4';

export const STAGES: readonly Stage[] = ['L1', 'L2', 'L3', 'L4'];

export const STAGE_NAMES: Readonly<Record<Stage, string>> = {
  L1: 'New Visitor',
  L2: 'Engaged',
  L3: 'Contacted',
  L4: 'Customer',
};

export interface StageFacts {
  /** The visitor typed their name in the widget. */
  named: boolean;
  /** The visitor sent a message, or a teammate sent them one. */
  messaged: boolean;
  /** A teammate marked the lead as customer. */
  customer: boolean;
}

/** The highest stage the facts reach (a customer who never chatted is still L4). */
export function stageOf(facts: StageFacts): Stage {
  if (facts.customer) return 'L4';
  if (facts.messaged) return 'L3';
  if (facts.named) return 'L2';
  return 'L1';
}

/** 1 for L1 … 4 for L4: compare stages with it. */
export function stageRank(stage: Stage): number {
  return STAGES.indexOf(stage) + 1;
}
