/**
 * Trims workspaces' logs once their snapshot covers them (see Store.trimStep), a chunk per
 * turn of the event loop: however far a log is to be trimmed, no other request waits for more
 * than one chunk.
 */
import type { Store } from './store.ts';

export class Trimmer {
  readonly #store: Store;
  readonly #queued = new Set<number>();
  #running = false;
  #closed = false;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The workspace's snapshot moved on: trim what it covers. */
  queue(wid: number): void {
    if (this.#closed) return;
    this.#queued.add(wid);
    if (!this.#running) {
      this.#running = true;
      setImmediate(this.#step);
    }
  }

  readonly #step = (): void => {
    const [wid] = this.#queued;
    if (wid === undefined || this.#closed) {
      this.#running = false;
      return;
    }
    this.#store.trimStep(wid).then(
      (more) => {
        if (!more) this.#queued.delete(wid);
        setImmediate(this.#step);
      },
      (err: unknown) => {
        // Left as it was (one step is all or nothing): tried again after the next snapshot
        // or restart.
        this.#queued.delete(wid);
        console.error('relay: trimming the log failed:', err);
        setImmediate(this.#step);
      },
    );
  };

  /** Settles once nothing is queued (tests). */
  async idle(): Promise<void> {
    while (this.#running) await new Promise((resolve) => setImmediate(resolve));
  }

  close(): void {
    this.#closed = true;
  }
}
