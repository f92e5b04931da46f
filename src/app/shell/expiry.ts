/**
 * Toasts that go on their own: each from the moment it appeared, on a timer of its own (a new
 * toast never restarts the others'). Time comes from the timers passed in, so tests move it.
 */
export interface ExpiryTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const PAGE: ExpiryTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
  },
};

export class Expiry {
  readonly #timers = new Map<string, unknown>();
  readonly #ms: number;
  readonly #expire: (id: string) => void;
  readonly #clock: ExpiryTimers;

  constructor(ms: number, expire: (id: string) => void, clock: ExpiryTimers = PAGE) {
    this.#ms = ms;
    this.#expire = expire;
    this.#clock = clock;
  }

  /** The toasts on screen now: new ones start their timer, gone ones lose theirs. */
  track(ids: readonly string[]): void {
    const shown = new Set(ids);
    for (const [id, timer] of this.#timers) {
      if (shown.has(id)) continue;
      this.#clock.clearTimeout(timer);
      this.#timers.delete(id);
    }
    for (const id of shown) {
      if (this.#timers.has(id)) continue;
      this.#timers.set(
        id,
        this.#clock.setTimeout(() => {
          this.#timers.delete(id);
          this.#expire(id);
        }, this.#ms),
      );
    }
  }

  stop(): void {
    for (const timer of this.#timers.values()) this.#clock.clearTimeout(timer);
    this.#timers.clear();
  }
}
