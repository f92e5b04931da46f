/**
 * Leadership among the tabs of one person: one tab at a time leads intake, projection and the
 * relay snapshot, chosen with a Web Lock. The lock is held for as long as the tab leads; when
 * it closes (or crashes) the browser grants it to the next tab. A tab that fails to take up
 * leadership lets go and asks again later, so a broken tab does not hold the others back.
 */
import type { Timers } from '../contracts/time.ts';

/** The part of the Web Locks API used here (`navigator.locks`). */
export interface Locks {
  request(
    name: string,
    options: { signal: AbortSignal },
    callback: () => Promise<void>,
  ): Promise<unknown>;
}

export interface Leadership {
  /** This tab leads now. */
  readonly leading: boolean;
  /** Lets go of the lock (or stops asking for it). */
  stop(): void;
}

export interface LeadershipOptions {
  locks: Locks;
  name: string;
  /** Takes up leadership; a failure lets go of the lock, to ask again after `retryMs`. */
  lead: () => Promise<void>;
  /** Leadership ends (the tab stops, or `lead` failed). */
  resign?: () => void;
  onError: (err: unknown) => void;
  timers: Timers;
  /** First wait before asking again after a failure; it doubles up to 30 s. */
  retryMs?: number;
}

const MAX_RETRY_MS = 30_000;

export function leadership(options: LeadershipOptions): Leadership {
  const { locks, name, timers } = options;
  let leading = false;
  let stopped = false;
  let retryIn = options.retryMs ?? 1_000;
  let retryTimer: unknown;
  let abort = new AbortController();
  let release: (() => void) | undefined;

  const ask = (): void => {
    if (stopped) return;
    abort = new AbortController();
    const held = new Promise<void>((resolve) => (release = resolve));
    locks
      .request(name, { signal: abort.signal }, async () => {
        if (stopped) return;
        leading = true;
        try {
          await options.lead();
          retryIn = options.retryMs ?? 1_000;
        } catch (err) {
          options.onError(err);
          leading = false;
          options.resign?.();
          retryTimer = timers.setTimeout(ask, retryIn);
          retryIn = Math.min(MAX_RETRY_MS, retryIn * 2);
          return;
        }
        await held;
        leading = false;
        options.resign?.();
      })
      .catch((err: unknown) => {
        // Aborted while waiting: stopped on purpose.
        if (!stopped) options.onError(err);
      });
  };
  ask();

  return {
    get leading() {
      return leading;
    },
    stop() {
      stopped = true;
      timers.clearTimeout(retryTimer);
      abort.abort();
      release?.();
    },
  };
}
