/**
 * Retention sweeps in the leader tab (the rule is core/sweep.ts), while intake has read the
 * whole log: when it gets there, every hour, when the retention setting changes, when a
 * teammate's sweep moves the horizon, and again after facts from before the horizon came in
 * late (a snapshot taken in). This member's sweep is recorded in the team doc, so every
 * teammate sweeps to the same horizon.
 */
import type * as Y from 'yjs';
import type { LastSweep, StatusPatch } from '../contracts/team.ts';
import type { Clock, Timers } from '../contracts/time.ts';
import type { RetentionDays } from '../core/ledger.ts';
import { horizonOf, reachOf, type SweepRecord } from '../core/sweep.ts';
import { sweeps } from '../core/team-doc.ts';
import { readMeta, type WorkspaceDb } from '../data/db.ts';
import type { Projection } from './projection.ts';

/** Sweeps run at least this often. */
export const SWEEP_EVERY_MS = 3_600_000;
/** A sweep after late facts waits this long for more of them (a catch-up brings many batches). */
const AFTER_LATE_MS = 5_000;
/**
 * This member records a new sweep once it would reach this much further than the horizon, and
 * storage is swept again once the horizon moved this far (a teammate's sweep a moment later
 * than ours is not worth reading every fact again; the next hourly sweep gets there).
 */
const MIN_STEP_MS = 10 * 60_000;

export interface SweeperParts {
  doc: Y.Doc;
  memberId: string;
  db: WorkspaceDb;
  projection: Projection;
  retention: () => RetentionDays;
  status: (patch: StatusPatch) => void;
  fail: (err: unknown) => void;
  clock: Clock;
  timers: Timers;
}

/** What the sweeps map holds, as far as it can be trusted: a teammate wrote it. */
function records(doc: Y.Doc): SweepRecord[] {
  return ([...sweeps(doc).values()] as unknown[]).filter(
    (r): r is SweepRecord => typeof r === 'object' && r !== null,
  );
}

export class Sweeper {
  readonly #parts: SweeperParts;
  /** The horizon this browser's storage is swept to. */
  #sweptTo = 0;
  #last: LastSweep | undefined;
  #timer: unknown;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  /** Intake has read the whole log. */
  #live = false;
  readonly #onRecords = (): void => {
    this.check();
  };

  constructor(parts: SweeperParts) {
    this.#parts = parts;
  }

  async start(): Promise<void> {
    const { db, doc, projection } = this.#parts;
    // Facts that came in late and were not swept yet (the tab closed first) are swept now.
    const again = await readMeta(db, 'sweepAgain', false);
    this.#sweptTo = again ? 0 : await readMeta(db, 'sweptTo', 0);
    this.#last = await readMeta<LastSweep | undefined>(db, 'sweep', undefined);
    this.#parts.status({ sweep: this.#last });
    projection.horizon = this.#sweptTo;
    sweeps(doc).observe(this.#onRecords);
    projection.on('late', this.#onLate);
    this.check();
  }

  /** Late facts (at or before the horizon) came in: swept again once they stop coming. */
  readonly #onLate = (): void => {
    this.#sweptTo = 0;
    this.#schedule(AFTER_LATE_MS);
  };

  /** Intake's state: sweeps wait while it catches up (a visit still to come may be old). */
  intake(live: boolean): void {
    const was = this.#live;
    this.#live = live;
    if (live && !was) this.check();
  }

  #schedule(ms: number): void {
    const { timers } = this.#parts;
    timers.clearTimeout(this.#timer);
    this.#timer = timers.setTimeout(() => {
      this.check();
    }, ms);
  }

  /** Records this member's sweep if it reaches further, and sweeps storage to the horizon. */
  check(): void {
    if (this.#stopped) return;
    this.#schedule(SWEEP_EVERY_MS);
    this.#running = this.#running.then(() => this.#sweep()).catch(this.#parts.fail);
  }

  async #sweep(): Promise<void> {
    const { doc, memberId, clock, retention, projection, db, status } = this.#parts;
    if (!this.#live || this.#stopped) return;
    const now = clock.now();
    const period = retention();
    const reach = reachOf(now, period);
    if (reach > horizonOf(records(doc), Infinity) + MIN_STEP_MS) {
      // Observing the map calls check() again: it finds the horizon swept already.
      sweeps(doc).set(memberId, { upTo: reach, at: now });
    }
    const horizon = horizonOf(records(doc), reach);
    if (horizon <= this.#sweptTo + MIN_STEP_MS) return;
    projection.horizon = horizon;
    const started = performance.now();
    const result = await projection.sweep(horizon, period);
    // Visible in the browser's performance tools (and read by the benchmark).
    performance.measure('converge:sweep', { start: started });
    this.#sweptTo = horizon;
    this.#last = {
      at: now,
      removed: result.removed,
      total: (this.#last?.total ?? 0) + result.removed,
      horizon,
    };
    await db.meta.bulkPut([
      { key: 'sweptTo', value: horizon },
      { key: 'sweep', value: this.#last },
    ]);
    status({ sweep: this.#last });
  }

  /** Waits for a sweep under way (tests, and leaving the lead cleanly). */
  settled(): Promise<void> {
    return this.#running;
  }

  stop(): void {
    this.#stopped = true;
    this.#parts.timers.clearTimeout(this.#timer);
    sweeps(this.#parts.doc).unobserve(this.#onRecords);
    this.#parts.projection.off('late', this.#onLate);
  }
}
