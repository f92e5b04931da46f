/**
 * Time zones in a real browser: where the browser has Temporal, the widget reads them without
 * formatting a date (a page's first Intl date format costs the host 15–30 ms), and Temporal
 * and the Intl fallback agree on every answer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isTimeZone, localTimeZone, wallClock } from '../../src/core/time-zone.ts';
import { pageView, placeNow } from '../../widget/page-view.ts';

/** Runs `fn` as a browser without Temporal would. */
function withoutTemporal<T>(fn: () => T): T {
  const temporal = Object.getOwnPropertyDescriptor(globalThis, 'Temporal');
  Reflect.deleteProperty(globalThis, 'Temporal');
  try {
    return fn();
  } finally {
    if (temporal) Object.defineProperty(globalThis, 'Temporal', temporal);
  }
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Calcutta', 'UTC'];
const NOT_ZONES = ['Mars/Base', '+01:00', '', 'Europe/Berlin\n', '../etc/passwd', 'x'.repeat(65)];
// Around the 2026 daylight-saving changes in Europe and the US, and a plain Sunday.
const INSTANTS = [
  '2026-03-08T06:59:00Z',
  '2026-03-08T07:00:00Z',
  '2026-03-29T00:59:00Z',
  '2026-03-29T01:00:00Z',
  '2026-10-25T00:30:00Z',
  '2026-11-01T05:30:00Z',
  '2026-12-06T23:59:00Z',
].map((iso) => Date.parse(iso));

describe('time zones', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the browser has Temporal (else these tests prove only the fallback)', () => {
    expect('Temporal' in globalThis).toBe(true);
  });

  it("reads the visitor's zone and a page view's without formatting a date", () => {
    const expected = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    const formats = vi.spyOn(Intl, 'DateTimeFormat');
    expect(localTimeZone()).toBe(expected);
    expect(pageView('v', 'load', '', placeNow()).tz).toBe(expected);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(wallClock('America/New_York', INSTANTS[0] ?? 0).day).toBe(0);
    expect(formats).not.toHaveBeenCalled();
  });

  it('the Intl fallback gives the same answers', () => {
    const withTemporal = {
      local: localTimeZone(),
      known: [...ZONES, ...NOT_ZONES].map(isTimeZone),
      clocks: ZONES.flatMap((zone) => INSTANTS.map((at) => wallClock(zone, at))),
    };
    const fallback = withoutTemporal(() => ({
      local: localTimeZone(),
      known: [...ZONES, ...NOT_ZONES].map(isTimeZone),
      clocks: ZONES.flatMap((zone) => INSTANTS.map((at) => wallClock(zone, at))),
    }));
    expect(fallback).toEqual(withTemporal);
    expect(withTemporal.known).toEqual([...ZONES.map(() => true), ...NOT_ZONES.map(() => false)]);
    // 2026-03-29 01:00 UTC: Berlin moves from 01:59 to 03:00.
    expect(wallClock('Europe/Berlin', Date.parse('2026-03-29T01:00:00Z'))).toEqual({
      day: 0,
      minute: 180,
    });
  });
});
