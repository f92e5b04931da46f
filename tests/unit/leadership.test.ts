/**
 * Leadership among a person's tabs, with a fake lock manager (grants a lock to one holder at a
 * time, in the order asked, like Web Locks) and fake timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { leadership, type Locks } from '../../src/team/leadership.ts';
import type { Timers } from '../../src/contracts/time.ts';

/** One lock per name, granted to one callback at a time, queued in order; abortable while queued. */
function fakeLocks(): Locks & { holders: () => number } {
  const queues = new Map<
    string,
    { run: () => Promise<void>; done: (v?: unknown) => void; abort: AbortSignal }[]
  >();
  let holding = 0;
  const pump = (name: string): void => {
    const queue = queues.get(name) ?? [];
    if (holding > 0 || queue.length === 0) return;
    const next = queue.shift();
    if (!next) return;
    holding++;
    void next.run().finally(() => {
      holding--;
      next.done();
      pump(name);
    });
  };
  return {
    holders: () => holding,
    request(name, options, callback) {
      return new Promise((resolve, reject) => {
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        const entry = { run: callback, done: resolve, abort: options.signal };
        options.signal.addEventListener('abort', () => {
          const at = queue.indexOf(entry);
          if (at >= 0) {
            queue.splice(at, 1);
            reject(new DOMException('aborted', 'AbortError'));
          }
        });
        queue.push(entry);
        pump(name);
      });
    },
  };
}

const timers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('leadership', () => {
  it('gives the lock to one tab at a time, and to the next when the leader stops', async () => {
    const locks = fakeLocks();
    const led: string[] = [];
    const tab = (name: string) =>
      leadership({
        locks,
        name: 'leader',
        lead: () => {
          led.push(name);
          return Promise.resolve();
        },
        onError: () => {},
        timers,
      });
    const a = tab('a');
    const b = tab('b');
    await vi.waitFor(() => {
      expect(led).toEqual(['a']);
    });
    expect(a.leading).toBe(true);
    expect(b.leading).toBe(false);
    a.stop();
    await vi.waitFor(() => {
      expect(led).toEqual(['a', 'b']);
    });
    expect(a.leading).toBe(false);
    expect(b.leading).toBe(true);
    b.stop();
    await vi.waitFor(() => {
      expect(locks.holders()).toBe(0);
    });
  });

  it('a tab that stops while waiting never leads', async () => {
    const locks = fakeLocks();
    const led: string[] = [];
    const a = leadership({
      locks,
      name: 'leader',
      lead: () => {
        led.push('a');
        return Promise.resolve();
      },
      onError: () => {},
      timers,
    });
    const b = leadership({
      locks,
      name: 'leader',
      lead: () => {
        led.push('b');
        return Promise.resolve();
      },
      onError: () => {},
      timers,
    });
    b.stop();
    a.stop();
    await vi.waitFor(() => {
      expect(locks.holders()).toBe(0);
    });
    expect(led).toEqual(['a']);
  });

  it('a tab that fails to lead lets go, so another leads, and asks again later and later', async () => {
    vi.useFakeTimers();
    const locks = fakeLocks();
    const errors: unknown[] = [];
    let attempts = 0;
    const broken = leadership({
      locks,
      name: 'leader',
      lead: () => {
        attempts++;
        return Promise.reject(new Error('storage failed'));
      },
      onError: (err) => errors.push(err),
      timers,
      retryMs: 1_000,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toBe(1);
    expect(broken.leading).toBe(false);
    expect(locks.holders()).toBe(0);
    // It asks again after 1 s, then 2 s, then 4 s.
    await vi.advanceTimersByTimeAsync(999);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(attempts).toBe(3);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(attempts).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(4);
    expect(errors).toHaveLength(4);
    // Meanwhile a healthy tab takes the lock.
    let healthy = false;
    const other = leadership({
      locks,
      name: 'leader',
      lead: () => {
        healthy = true;
        return Promise.resolve();
      },
      onError: () => {},
      timers,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(healthy).toBe(true);
    broken.stop();
    other.stop();
    // Once stopped it asks no more.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toBe(4);
  });
});
