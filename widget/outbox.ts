/**
 * Sealed events waiting for the relay. Kept in the host site's storage so a visit made while the
 * relay is down (or the tab closes mid-send) is sent on the next try or the next page load. The
 * relay ignores an id it already has, so sending twice is harmless and nothing is ever dropped
 * for being unsure: only an answer saying an event can never be accepted drops it (and only
 * that event: a refused batch is sent again one event at a time).
 */
import { RELAY_LIMITS, type IntakeItem } from '../src/core/relay-protocol.ts';
import { readItem, writeItem } from './storage.ts';

/** Oldest events give way past this many, to bound the host site's storage. */
const MAX_QUEUED = 300;
const MAX_BACKOFF_MS = 15_000;
/** keepalive requests may carry at most 64 KiB in flight; stay under it and the relay's limit. */
const MAX_BATCH_CHARS = Math.min(RELAY_LIMITS.maxBodyBytes, 60_000);

/** What the outbox takes from the page: tests hand in fakes for the network, storage and time. */
export interface OutboxEnv {
  fetch(url: string, init: RequestInit): Promise<{ ok: boolean; status: number }>;
  /** The host site's storage: null when blocked or empty. */
  read(key: string): string | null;
  write(key: string, value: string): unknown;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  /** Jitter for the backoff, in [0, 1). */
  random(): number;
}

// Wrapped: browsers refuse fetch and setTimeout called as methods of another object.
const PAGE: OutboxEnv = {
  fetch: (url, init) => fetch(url, init),
  read: readItem,
  write: writeItem,
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
  },
  random: Math.random,
};

export class Outbox {
  /** Used when storage is blocked, and as the truth between writes. */
  #memory: IntakeItem[] = [];
  #sending = false;
  #failures = 0;
  #timer: unknown;
  /** Hears which events the relay has made durable. */
  onSent?: (ids: Set<string>) => void;
  /** Events the relay refused on their own (400/413): dropped, never resent. */
  refused = 0;
  /** Consent mode, before consent: events wait here, nothing is sent. */
  held = false;

  readonly #endpoint: string;
  readonly #storageKey: string;
  readonly #env: OutboxEnv;

  constructor(endpoint: string, storageKey: string, env: OutboxEnv = PAGE) {
    this.#endpoint = endpoint;
    this.#storageKey = storageKey;
    this.#env = env;
    this.#memory = this.#load();
  }

  add(item: IntakeItem): void {
    const items = this.#load();
    items.push(item);
    this.#save(items.slice(-MAX_QUEUED));
    void this.flush();
  }

  /** Sends everything queued, one batch at a time; on failure retries later with backoff. */
  async flush(keepalive = false): Promise<void> {
    if (this.#sending || this.held) return;
    this.#env.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending = true;
    try {
      for (let batch = this.#nextBatch(); batch.length; batch = this.#nextBatch()) {
        const outcome = await this.#send(batch, keepalive);
        if (outcome === 'retry') {
          this.retryLater();
          return;
        }
        if (outcome === 'refused' && batch.length > 1) {
          // One event that can never be accepted must not take the others with it: each is
          // sent on its own, and only those refused alone are dropped.
          for (const item of batch) {
            const alone = await this.#send([item], keepalive);
            if (alone === 'retry') {
              this.retryLater();
              return;
            }
            this.#done([item], alone);
          }
          continue;
        }
        this.#done(batch, outcome);
      }
    } finally {
      this.#sending = false;
    }
  }

  /** Takes what the relay answered for off the queue. */
  #done(batch: IntakeItem[], outcome: 'done' | 'refused'): void {
    const ids = new Set(batch.map((e) => e.id));
    this.#save(this.#load().filter((e) => !ids.has(e.id)));
    this.#failures = 0;
    if (outcome === 'refused') this.refused += batch.length;
    else this.onSent?.(ids);
  }

  async #send(batch: IntakeItem[], keepalive: boolean): Promise<'done' | 'refused' | 'retry'> {
    try {
      const res = await this.#env.fetch(this.#endpoint, {
        method: 'POST',
        // text/plain: a "simple" request, so no CORS preflight and keepalive works on unload.
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ events: batch }),
        keepalive,
        credentials: 'omit',
      });
      if (res.ok) return 'done';
      // 400 and 413 mean the batch itself is bad: resending it would fail for ever.
      return res.status === 400 || res.status === 413 ? 'refused' : 'retry';
    } catch {
      return 'retry';
    }
  }

  #nextBatch(): IntakeItem[] {
    const batch: IntakeItem[] = [];
    let chars = 16;
    for (const item of this.#load()) {
      const size = item.id.length + item.sealed.length + 24;
      if (batch.length >= RELAY_LIMITS.maxBatch || (batch.length && chars + size > MAX_BATCH_CHARS))
        break;
      batch.push(item);
      chars += size;
    }
    return batch;
  }

  /** 1 s, 2 s, 4 s, 8 s, then every 15 s, each cut by up to half at random (no stampede). */
  protected retryLater(): void {
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.#failures++);
    this.#timer = this.#env.setTimeout(
      () => void this.flush(),
      base * (0.5 + this.#env.random() / 2),
    );
  }

  #load(): IntakeItem[] {
    const raw = this.#env.read(this.#storageKey);
    if (raw === null) return this.#memory;
    try {
      const parsed: unknown = JSON.parse(raw);
      // Another script may have written the key: keep only what can be sent.
      if (Array.isArray(parsed)) {
        this.#memory = (parsed as (Partial<IntakeItem> | null)[]).filter(
          (e): e is IntakeItem => typeof e?.id === 'string' && typeof e.sealed === 'string',
        );
      }
    } catch {
      // Unreadable: start over rather than break the page.
    }
    return this.#memory;
  }

  #save(items: IntakeItem[]): void {
    this.#memory = items;
    this.#env.write(this.#storageKey, JSON.stringify(items));
  }
}
