/** A shared ticking "now" for relative times, so rows don't each run their own timer. */
class Clock {
  #now = $state(Date.now());
  constructor() {
    setInterval(() => {
      this.#now = Date.now();
    }, 15_000);
  }
  get now(): number {
    return this.#now;
  }
}

export const clock = new Clock();
