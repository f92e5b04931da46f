/**
 * Retention sweeps (SPEC §9, §15): never-engaged visitors leave once they have been quiet for
 * the retention period — and every browser comes to the same leads, whatever the order in which
 * it hears of page views and sweeps.
 *
 * The rule reads only a lead's own events, so every browser that holds them decides alike. A
 * lead's events, in time order, that come before a quiet stretch of at least the retention
 * period are dropped when, up to then, the visitor had given no name and written nothing — and
 * no teammate has assigned, tagged, written to, blocked or converted the lead. A quiet stretch
 * counts once it is over, or once it reaches back from the horizon (the time this browser
 * sweeps up to, see `reachOf`). A lead with nothing left is gone; one whose visitor came back
 * after such a stretch stays, with what came after it: the same on the browser that swept it
 * before the visit came back (the visit makes it anew) and on one that heard of both first.
 *
 * A browser sweeps only while it has read the whole log (any visit still to come is newer than
 * the horizon by at least the retention period), and each member's latest sweep is recorded in
 * the team doc so that teammates sweep to the same horizon. Times are the relay's (when it
 * stored the event), never the visitor's clock, which may be days off.
 */
import type { LoggedEvent } from './facts.ts';
import type { TeamFacts } from './lead.ts';
import type { RetentionDays } from './ledger.ts';

export const DAY_MS = 86_400_000;

/** Members' and the relay's clocks may differ by this much: sweeps stop short of it. */
export const CLOCK_SLACK_MS = 3_600_000;

/** A member's latest sweep, as the team doc keeps it (key: the member's id). */
export interface SweepRecord {
  /** The horizon: events the relay stored at or before this time (ms) were looked at. */
  upTo: number;
  /** When the member swept (their clock). */
  at: number;
}

/** When the relay stored the event (older stored facts lack it: the visitor's time then). */
export function eventTime(e: LoggedEvent): number {
  return e.receivedAt ?? e.at;
}

/** The furthest this browser may sweep now: the retention period back, and a clock's slack. */
export function reachOf(now: number, retention: RetentionDays): number {
  return now - retention * DAY_MS - CLOCK_SLACK_MS;
}

/**
 * The horizon to sweep to: the furthest sweep a member recorded, but never beyond this
 * browser's own reach (a teammate's clock may run ahead). 0: nothing to sweep yet.
 */
export function horizonOf(records: Iterable<SweepRecord>, reach: number): number {
  let recorded = 0;
  for (const r of records) {
    if (Number.isSafeInteger(r.upTo)) recorded = Math.max(recorded, r.upTo);
  }
  return Math.min(recorded, reach);
}

/** A teammate acted on the lead: it is theirs to keep, whatever its stage. */
export function keptByTeam(team: TeamFacts): boolean {
  return (
    team.assignee !== null ||
    team.tags.length > 0 ||
    team.customer ||
    team.messaged ||
    team.blockedAfter !== undefined
  );
}

/** One of a lead's events, as far as a sweep cares: when, where in the log, and what. */
export interface Moment {
  at: number;
  seq: number;
  /** A name given or a message written. */
  engaged: boolean;
}

export function momentOf(e: LoggedEvent): Moment {
  return { at: eventTime(e), seq: e.seq, engaged: e.kind !== 'pageview' };
}

/** Time order; the log's order between events of one moment. */
export function byTime(a: Moment, b: Moment): number {
  return a.at - b.at || a.seq - b.seq;
}

/**
 * The last of a lead's events that a sweep drops (undefined: none), given its moments in time
 * order: the end of the longest never-engaged run that a quiet stretch of the retention period
 * follows, at or before the horizon.
 */
export function sweptThrough(
  moments: readonly Moment[],
  horizon: number,
  retention: RetentionDays,
): Moment | undefined {
  const quiet = retention * DAY_MS;
  let through: Moment | undefined;
  for (let i = 0; i < moments.length; i++) {
    const m = moments[i] as Moment;
    if (m.at > horizon || m.engaged) break;
    const next = moments[i + 1];
    if (!next || next.at - m.at >= quiet) through = m;
  }
  return through;
}

/** The event is one a sweep through `through` drops. */
export function isSwept(e: LoggedEvent, through: Moment): boolean {
  return byTime(momentOf(e), through) <= 0;
}

/** The sweep's verdict on one lead. */
export type Verdict = 'keep' | 'gone' | 'revived';

/**
 * Keep: nothing dropped. Gone: every event dropped. Revived: the visitor came back after a
 * quiet stretch; the lead is folded again from what came after it.
 */
export function verdictOf(
  moments: readonly Moment[],
  through: Moment | undefined,
  team: TeamFacts,
): Verdict {
  if (!through || keptByTeam(team)) return 'keep';
  return moments[moments.length - 1] === through ? 'gone' : 'revived';
}
