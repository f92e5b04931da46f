/** Where the Overview's numbers lead: the Leads list, filtered to exactly those leads. */
import type { Origin } from '../../core/list-query.ts';
import type { Period } from '../../core/overview.ts';
import type { Band } from '../../core/scoring.ts';
import { STAGES, type Stage } from '../../core/stage.ts';
import { href } from '../router.svelte.ts';

/** Leads that reached `stage` or beyond (customers included: they are leads the team won). */
export function reachedStages(stage: Stage = 'L1'): Stage[] {
  return STAGES.slice(STAGES.indexOf(stage));
}

export function leadsLink(
  period: Period,
  over: { stage?: Stage; origin?: Omit<Origin, 'from' | 'to'>; band?: Band } = {},
): string {
  return href({
    view: 'leads',
    filters: {
      stages: reachedStages(over.stage),
      origin: { from: period.from, to: period.to, ...over.origin },
      ...(over.band ? { band: over.band } : {}),
    },
  });
}

/** A share as people read it: "25%", "3.3%", "0%"; "—" when there is nothing to divide. */
export function percent(rate: number | null): string {
  if (rate === null) return '—';
  const p = rate * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}
