import { describe, expect, it } from 'vitest';
import { RateLimiter, retryAfterSeconds, TokenBucket, type Clock } from '../../relay/limits.ts';

/** A clock that moves only when told to. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  return Object.assign(() => now, {
    advance: (ms: number) => {
      now += ms;
    },
  });
}

describe('rate limiter', () => {
  it('lets a burst through at once, then one token per 1/rate seconds', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(10, 3, { clock });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    // Empty: the next token is 100 ms away.
    expect(limiter.take('a')).toBe(100);
    clock.advance(50);
    expect(limiter.take('a')).toBe(50);
    clock.advance(50);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(100);
  });

  it('saves up at most the burst, however long a key was quiet', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(10, 3, { clock });
    limiter.take('a', 3);
    clock.advance(3_600_000);
    expect(limiter.take('a', 3)).toBe(0);
    expect(limiter.take('a')).toBe(100);
  });

  it('refuses a cost it cannot cover without taking anything, and says how long to wait', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(2, 5, { clock });
    expect(limiter.take('a', 4)).toBe(0);
    expect(limiter.take('a', 3)).toBe(1_000);
    clock.advance(1_000);
    expect(limiter.take('a', 3)).toBe(0);
  });

  it('keeps keys apart', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(1, 1, { clock });
    expect(limiter.take('10.0.0.1')).toBe(0);
    expect(limiter.take('10.0.0.1')).toBe(1_000);
    expect(limiter.take('10.0.0.2')).toBe(0);
  });

  it('forgets refilled keys first when full, then the least recently used', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(1, 2, { clock, maxKeys: 10 });
    // Five keys that will have refilled, five still empty.
    for (let i = 0; i < 5; i++) limiter.take(`idle-${String(i)}`);
    clock.advance(1_000);
    for (let i = 0; i < 5; i++) limiter.take(`busy-${String(i)}`, 2);
    expect(limiter.size).toBe(10);
    limiter.take('new');
    // The idle ones went (they were full again: forgetting them changes nothing).
    expect(limiter.size).toBe(6);
    for (let i = 0; i < 5; i++) expect(limiter.take(`busy-${String(i)}`)).toBeGreaterThan(0);
    // Full of busy keys: the least recently used go, down to 90% of the bound.
    for (let i = 0; i < 4; i++) limiter.take(`more-${String(i)}`, 2);
    expect(limiter.size).toBe(10);
    limiter.take('last', 2);
    expect(limiter.size).toBe(10);
    expect(limiter.take('busy-0')).toBeGreaterThan(0);
    // 'new' was the least recently used: forgotten, so it starts with a full burst again.
    expect(limiter.take('new', 2)).toBe(0);
  });

  it('answers Retry-After in whole seconds, at least one', () => {
    expect(retryAfterSeconds(1)).toBe('1');
    expect(retryAfterSeconds(1_000)).toBe('1');
    expect(retryAfterSeconds(1_001)).toBe('2');
  });
});

describe('token bucket (one connection)', () => {
  it('allows the burst, then refills at the rate', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(50, 2, clock);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    clock.advance(19);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    clock.advance(60_000);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
