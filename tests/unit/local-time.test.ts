import { describe, expect, it } from 'vitest';
import { localTime, safeHref } from '../../src/app/lib/local-time.ts';

describe("a visitor's local time", () => {
  // Tuesday 2026-11-24 13:05 UTC.
  const tuesday = Date.UTC(2026, 10, 24, 13, 5);

  it.each([
    ['Europe/Berlin', 'Tue 14:05', false],
    ['America/New_York', 'Tue 08:05', true],
    ['Asia/Tokyo', 'Tue 22:05', true],
    ['Asia/Kolkata', 'Tue 18:35', true],
    ['UTC', 'Tue 13:05', false],
  ])('in %s it is %s (outside business hours: %s)', (zone, text, outside) => {
    expect(localTime(zone, tuesday)).toEqual({ text, outsideBusinessHours: outside });
  });

  it('counts weekends as outside business hours', () => {
    const saturdayNoon = Date.UTC(2026, 10, 28, 12, 0);
    expect(localTime('Europe/London', saturdayNoon)).toEqual({
      text: 'Sat 12:00',
      outsideBusinessHours: true,
    });
  });

  it('says nothing for a missing or unknown zone', () => {
    expect(localTime('', tuesday)).toBeUndefined();
    expect(localTime('Mars/Olympus_Mons', tuesday)).toBeUndefined();
  });
});

describe('links from visitor data', () => {
  it.each([
    ['https://shop.example/pricing?a=1', 'https://shop.example/pricing?a=1'],
    ['http://shop.example/', 'http://shop.example/'],
    ['javascript:alert(1)', undefined],
    ['JaVaScRiPt:alert(1)', undefined],
    ['data:text/html,<script>alert(1)</script>', undefined],
    ['//evil.example/', undefined],
    ['not a url', undefined],
    ['', undefined],
  ])('%s → %s', (url, href) => {
    expect(safeHref(url)).toBe(href);
  });
});
