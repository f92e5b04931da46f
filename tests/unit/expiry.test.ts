import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Expiry } from '../../src/app/shell/expiry.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('toast expiry', () => {
  it('gives each toast its own timer, from when it appeared', () => {
    const gone: string[] = [];
    let shown = ['a'];
    const expiry = new Expiry(30_000, (id) => {
      gone.push(id);
      shown = shown.filter((s) => s !== id);
      expiry.track(shown);
    });
    expiry.track(shown);
    vi.advanceTimersByTime(20_000);
    // A new toast does not restart the first one's timer.
    shown = [...shown, 'b'];
    expiry.track(shown);
    vi.advanceTimersByTime(10_000);
    expect(gone).toEqual(['a']);
    vi.advanceTimersByTime(19_999);
    expect(gone).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(gone).toEqual(['a', 'b']);
  });

  it('forgets a toast dismissed by hand', () => {
    const gone: string[] = [];
    const expiry = new Expiry(1_000, (id) => gone.push(id));
    expiry.track(['a', 'b']);
    expiry.track(['b']);
    vi.advanceTimersByTime(1_000);
    expect(gone).toEqual(['b']);
  });
});
