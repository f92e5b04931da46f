/**
 * A member who just joined fetches the workspace from the relay snapshot (a teammate who is
 * online may bring it first, over the doc links). While the relay cannot be reached, or holds no
 * snapshot yet, it is asked again, later and later; a link the relay refuses (a wrong secret, a
 * workspace it does not know) ends the join at once: asking again cannot help.
 */
import { toFailure, type FailureCode } from '../contracts/errors.ts';
import type { JoinStage } from '../contracts/team.ts';
import type { Clock, Timers } from '../contracts/time.ts';

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** With no snapshot on the relay, how often to look again (a teammate's browser stores one). */
const LOOK_AGAIN_MS = 15_000;

/** Answers that say this link will never join. */
const REFUSED = new Set<FailureCode>([
  'unauthorized',
  'unknown_workspace',
  'invalid_workspace',
  'snapshot_unreadable',
]);

export interface JoiningOptions {
  /** Loads the relay snapshot; undefined when the relay holds none. */
  restore: () => Promise<unknown>;
  /** The workspace's own data has arrived (from the snapshot or a teammate). */
  joined: () => boolean;
  report: (stage: JoinStage) => void;
  clock: Clock;
  timers: Timers;
}

/** Starts fetching; `stop` ends it (the workspace closed). */
export function fetchOnJoin(options: JoiningOptions): { stop(): void } {
  const { restore, joined, report, clock, timers } = options;
  let stopped = false;
  /** Checked after every wait (a call: the flag changes while this waits). */
  const ended = (): boolean => stopped;
  let timer: unknown;
  let wait = RETRY_FIRST_MS;
  const again = (ms: number): void => {
    timer = timers.setTimeout(() => {
      void attempt();
    }, ms);
  };
  const attempt = async (): Promise<void> => {
    if (ended() || joined()) return;
    report({ stage: 'fetching' });
    try {
      const snapshot = await restore();
      if (ended() || snapshot !== undefined || joined()) return;
      wait = RETRY_FIRST_MS;
      report({ stage: 'waiting_for_team' });
      again(LOOK_AGAIN_MS);
    } catch (err) {
      if (ended()) return;
      const failure = toFailure(err);
      if (REFUSED.has(failure.code)) {
        report({ stage: 'refused', failure });
        return;
      }
      report({ stage: 'retrying', failure, retryAt: clock.now() + wait });
      again(wait);
      wait = Math.min(wait * 2, RETRY_MAX_MS);
    }
  };
  void attempt();
  return {
    stop() {
      stopped = true;
      timers.clearTimeout(timer);
    },
  };
}
