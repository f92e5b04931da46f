/** The Overview's periods: the member's choice, as whole local days. */
import { lastDays, localDay, nextDay, type Period } from '../../core/overview.ts';

/** The last 7, 30 or 90 days, or a range of days (`YYYY-MM-DD`, both included). */
export type PeriodChoice =
  { kind: 'last'; days: 7 | 30 | 90 } | { kind: 'range'; from: string; to: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date input's value as the start of that local day (undefined when it is not a date). */
export function dayOfInput(value: string): number | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  return Number.isNaN(at) ? undefined : at;
}

/** A time as a date input's value (its local day). */
export function inputOfDay(at: number): string {
  const d = new Date(at);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The period a choice means now; a range with its days the wrong way round is turned. */
export function periodOf(choice: PeriodChoice, now: number): Period {
  if (choice.kind === 'last') return lastDays(choice.days, now);
  const a = dayOfInput(choice.from) ?? localDay(now);
  const b = dayOfInput(choice.to) ?? localDay(now);
  return { from: Math.min(a, b), to: nextDay(Math.max(a, b)) };
}
