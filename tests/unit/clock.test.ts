import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.useRealTimers();
  vi.resetModules();
});

describe('the clock on screen', () => {
  it('moves on as each minute begins, not up to a tick later', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 11, 1, 9, 41, 59, 500));
    const { clock } = await import('../../src/app/lib/clock.svelte.ts');
    const minute = (t: number): number => new Date(t).getUTCMinutes();
    expect(minute(clock.now)).toBe(41);
    await vi.advanceTimersByTimeAsync(600);
    expect(minute(clock.now)).toBe(42);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(minute(clock.now)).toBe(43);
  });
});
