/**
 * Filters a link opens a list with — the Overview's numbers — in the address's query
 * (`#/leads?stage=L2&from=…&campaign=…`): they replace the member's own filters.
 */
import type { ListFilters, Origin } from '../../core/list-query.ts';
import { STAGES, type Stage } from '../../core/stage.ts';

export type LinkedFilters = Pick<ListFilters, 'stages' | 'origin' | 'band'>;

const ORIGIN_TEXT = ['source', 'campaign', 'landing'] as const;

export function filtersOf(query: string): LinkedFilters | undefined {
  if (!query) return undefined;
  const params = new URLSearchParams(query);
  const stages = params.getAll('stage').filter((s): s is Stage => STAGES.includes(s as Stage));
  const origin: Origin = {};
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  if (params.has('from') && Number.isSafeInteger(from)) origin.from = from;
  if (params.has('to') && Number.isSafeInteger(to)) origin.to = to;
  for (const key of ORIGIN_TEXT) {
    const value = params.get(key);
    if (value !== null) origin[key] = value;
  }
  const band = params.get('band');
  const linked: LinkedFilters = { stages, origin };
  if (band === 'Hot' || band === 'Warm' || band === 'Cold') linked.band = band;
  return linked;
}

export function queryOf(filters: LinkedFilters): string {
  const params = new URLSearchParams();
  for (const stage of filters.stages) params.append('stage', stage);
  if (filters.band) params.set('band', filters.band);
  const origin = filters.origin ?? {};
  if (origin.from !== undefined) params.set('from', String(origin.from));
  if (origin.to !== undefined) params.set('to', String(origin.to));
  for (const key of ORIGIN_TEXT) {
    const value = origin[key];
    if (value !== undefined) params.set(key, value);
  }
  return params.toString();
}
