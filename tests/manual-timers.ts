import type { Timers } from '../src/contracts/time.ts';

/** Timers that run only when told: what code waits for, without waiting. */
export function manualTimers(): Timers & { run(): void; pending(): number } {
  let queue: (() => void)[] = [];
  return {
    setTimeout: (run) => {
      queue.push(run);
      return run;
    },
    clearTimeout: (handle) => {
      queue = queue.filter((r) => r !== handle);
    },
    run() {
      const due = queue;
      queue = [];
      for (const run of due) run();
    },
    pending: () => queue.length,
  };
}
