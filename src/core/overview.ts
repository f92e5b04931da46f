/**
 * The Overview's figures: for a period, the funnel L1 → L2 → L3 → L4, new leads per day by
 * channel, the Hot / Warm / Cold split, and the sources, campaigns and landing pages ranked by
 * the leads they brought and how far those got. A lead counts on the day it was first seen, on
 * the viewer's clock.
 *
 * Kept as counts per day, changed lead by lead (a change takes the lead's old counts out and
 * puts its new ones in): a period's figures are a sum over its days, whatever the number of
 * leads, and a million leads are counted once, when the Overview is first asked for.
 */
import type { Band } from './scoring.ts';
import { STAGES, type Stage } from './stage.ts';
import type { Channel } from './utm.ts';

/** What the Overview needs of a lead. */
export interface OverviewEntry {
  firstSeen: number;
  stage: Stage;
  channel: Channel;
  source: string;
  campaign: string;
  landing: string;
}

/** A period: from the start of one local day to the start of another (epoch ms). */
export interface Period {
  from: number;
  to: number;
}

/** One stage of the funnel: leads that reached it, and the share of the stage before. */
export interface FunnelStep {
  stage: Stage;
  reached: number;
  /** reached / the previous step's reached; null for the first step or an empty one before. */
  rate: number | null;
}

/** A source, campaign or landing page: the leads it brought, and how far they got. */
export interface GroupRow {
  key: string;
  leads: number;
  /** Reached L2 or beyond. */
  engaged: number;
  /** Reached L3 or beyond. */
  contacted: number;
  customers: number;
  /** customers / leads. */
  rate: number;
}

export interface OverviewFigures {
  period: Period;
  leads: number;
  funnel: FunnelStep[];
  /** Customers / leads; null with no leads. */
  conversion: number | null;
  /** Every day of the period (its local start), with its new leads by channel. */
  days: { day: number; channels: Partial<Record<Channel, number>> }[];
  bands: Record<Band, number>;
  sources: GroupRow[];
  campaigns: GroupRow[];
  landings: GroupRow[];
}

/** Leads of each exact stage (L1…L4). */
type StageCounts = [number, number, number, number];

interface DayCounts {
  stages: StageCounts;
  channels: Map<Channel, number>;
  bands: Map<Band, number>;
  sources: Map<string, StageCounts>;
  campaigns: Map<string, StageCounts>;
  landings: Map<string, StageCounts>;
}

/** The start of `at`'s day on this browser's clock. */
export function localDay(at: number): number {
  const d = new Date(at);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** The start of the day after `day` (a local day start), daylight-saving changes included. */
export function nextDay(day: number): number {
  const d = new Date(day);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/** The last `days` days up to and including today's. */
export function lastDays(days: number, now: number): Period {
  const today = new Date(localDay(now));
  const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
  return { from: from.getTime(), to: nextDay(today.getTime()) };
}

/** Every zone's offset and every clock change falls on a quarter hour (UTC). */
const QUARTER_HOUR = 900_000;

/**
 * `dayOf`, asked once per quarter hour: all of a quarter hour is on one day, and a million leads
 * then cost a million map reads instead of two million local dates (most of the count's time).
 */
function byQuarterHour(dayOf: (at: number) => number): (at: number) => number {
  const known = new Map<number, number>();
  return (at) => {
    const quarter = Math.floor(at / QUARTER_HOUR);
    let day = known.get(quarter);
    if (day === undefined) known.set(quarter, (day = dayOf(quarter * QUARTER_HOUR)));
    return day;
  };
}

const STAGE_INDEX: Record<Stage, number> = { L1: 0, L2: 1, L3: 2, L4: 3 };

function bump<K>(map: Map<K, number>, key: K, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n === 0) map.delete(key);
  else map.set(key, n);
}

function bumpStage(map: Map<string, StageCounts>, key: string, stage: number, by: number): void {
  let counts = map.get(key);
  if (!counts) map.set(key, (counts = [0, 0, 0, 0]));
  counts[stage] = (counts[stage] ?? 0) + by;
  if (counts[0] + counts[1] + counts[2] + counts[3] === 0) map.delete(key);
}

export class OverviewIndex {
  readonly #days = new Map<number, DayCounts>();
  readonly #dayOf: (at: number) => number;

  /** `dayOf`: the start of a time's day (the viewer's local day unless said). */
  constructor(dayOf: (at: number) => number = localDay) {
    this.#dayOf = byQuarterHour(dayOf);
  }

  /** Counts a lead in (+1) or takes it out (-1): a change is its old self out, its new self in. */
  count(entry: OverviewEntry, band: Band, by: 1 | -1): void {
    const day = this.#dayOf(entry.firstSeen);
    let counts = this.#days.get(day);
    if (!counts) {
      counts = {
        stages: [0, 0, 0, 0],
        channels: new Map(),
        bands: new Map(),
        sources: new Map(),
        campaigns: new Map(),
        landings: new Map(),
      };
      this.#days.set(day, counts);
    }
    const stage = STAGE_INDEX[entry.stage];
    counts.stages[stage] = (counts.stages[stage] ?? 0) + by;
    bump(counts.channels, entry.channel, by);
    bump(counts.bands, band, by);
    bumpStage(counts.sources, entry.source, stage, by);
    if (entry.campaign) bumpStage(counts.campaigns, entry.campaign, stage, by);
    bumpStage(counts.landings, entry.landing, stage, by);
    if (counts.stages.every((n) => n === 0)) this.#days.delete(day);
  }

  figures(period: Period): OverviewFigures {
    const stages: StageCounts = [0, 0, 0, 0];
    const bands: Record<Band, number> = { Hot: 0, Warm: 0, Cold: 0 };
    const sources = new Map<string, StageCounts>();
    const campaigns = new Map<string, StageCounts>();
    const landings = new Map<string, StageCounts>();
    const add = (into: Map<string, StageCounts>, from: Map<string, StageCounts>): void => {
      for (const [key, counts] of from) {
        const sum = into.get(key);
        if (sum) for (let i = 0; i < 4; i++) sum[i] = (sum[i] ?? 0) + (counts[i] ?? 0);
        else into.set(key, [...counts]);
      }
    };
    const days: OverviewFigures['days'] = [];
    for (let day = period.from; day < period.to; day = nextDay(day)) {
      const counts = this.#days.get(day);
      days.push({ day, channels: counts ? Object.fromEntries(counts.channels) : {} });
      if (!counts) continue;
      for (let i = 0; i < 4; i++) stages[i] = (stages[i] ?? 0) + (counts.stages[i] ?? 0);
      for (const [band, n] of counts.bands) bands[band] += n;
      add(sources, counts.sources);
      add(campaigns, counts.campaigns);
      add(landings, counts.landings);
    }
    const leads = stages[0] + stages[1] + stages[2] + stages[3];
    const funnel: FunnelStep[] = [];
    let before: number | undefined;
    for (const [i, stage] of STAGES.entries()) {
      let reached = 0;
      for (let j = i; j < 4; j++) reached += stages[j] ?? 0;
      funnel.push({
        stage,
        reached,
        rate: before === undefined || before === 0 ? null : reached / before,
      });
      before = reached;
    }
    return {
      period,
      leads,
      funnel,
      conversion: leads ? stages[3] / leads : null,
      days,
      bands,
      sources: ranked(sources),
      campaigns: ranked(campaigns),
      landings: ranked(landings),
    };
  }
}

/** Groups by the leads they brought, most first (then by name: the same order everywhere). */
function ranked(groups: Map<string, StageCounts>): GroupRow[] {
  const rows: GroupRow[] = [];
  for (const [key, [l1, l2, l3, l4]] of groups) {
    const leads = l1 + l2 + l3 + l4;
    rows.push({
      key,
      leads,
      engaged: l2 + l3 + l4,
      contacted: l3 + l4,
      customers: l4,
      rate: leads ? l4 / leads : 0,
    });
  }
  return rows.sort((a, b) => b.leads - a.leads || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
