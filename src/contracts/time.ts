/**
 * Time, passed in: the clock and timers the team worker's parts use, so their tests run on fake
 * time instead of sleeping.
 */
export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Clock {
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export const realClock: Clock = { now: () => Date.now() };
