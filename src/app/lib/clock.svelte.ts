/**
 * A shared ticking "now" for times on screen (a visitor's local time, "5 min ago"), so rows don't
 * each run their own timer. It ticks as each minute begins: a clock that showed the old minute
 * for a few seconds more would be wrong.
 */
class Clock {
  #now = $state(Date.now());
  constructor() {
    this.#tick();
  }
  #tick(): void {
    this.#now = Date.now();
    setTimeout(
      () => {
        this.#tick();
      },
      60_000 - (this.#now % 60_000) + 5,
    );
  }
  get now(): number {
    return this.#now;
  }
}

export const clock = new Clock();
