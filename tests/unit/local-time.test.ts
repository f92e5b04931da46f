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

  // Monday 2024-01-15: Berlin is UTC+1 (winter), New York UTC−5, Kolkata UTC+5:30.
  it.each<{ tz: string; utc: string; text: string; outside: boolean }>([
    { tz: 'Europe/Berlin', utc: '2024-01-15T07:59:00Z', text: 'Mon 08:59', outside: true },
    { tz: 'Europe/Berlin', utc: '2024-01-15T08:00:00Z', text: 'Mon 09:00', outside: false },
    { tz: 'Europe/Berlin', utc: '2024-01-15T16:59:00Z', text: 'Mon 17:59', outside: false },
    { tz: 'Europe/Berlin', utc: '2024-01-15T17:00:00Z', text: 'Mon 18:00', outside: true },
    { tz: 'Europe/Berlin', utc: '2024-01-14T23:00:00Z', text: 'Mon 00:00', outside: true },
    { tz: 'Europe/Berlin', utc: '2024-07-15T07:00:00Z', text: 'Mon 09:00', outside: false }, // summer, UTC+2
    { tz: 'America/New_York', utc: '2024-01-15T13:59:00Z', text: 'Mon 08:59', outside: true },
    { tz: 'America/New_York', utc: '2024-01-15T14:00:00Z', text: 'Mon 09:00', outside: false },
    { tz: 'Asia/Kolkata', utc: '2024-01-15T12:29:00Z', text: 'Mon 17:59', outside: false },
    { tz: 'Asia/Kolkata', utc: '2024-01-15T12:30:00Z', text: 'Mon 18:00', outside: true },
    { tz: 'Etc/UTC', utc: '2024-01-15T03:00:00Z', text: 'Mon 03:00', outside: true },
  ])('$tz at $utc is $text (outside business hours: $outside)', ({ tz, utc, text, outside }) => {
    expect(localTime(tz, Date.parse(utc))).toEqual({ text, outsideBusinessHours: outside });
  });

  it.each(['', 'Mars/Olympus_Mons', 'not a zone'])('says nothing for the zone %j', (tz) => {
    expect(localTime(tz, tuesday)).toBeUndefined();
  });

  it('says nothing for an invalid time', () => {
    expect(localTime('Europe/Berlin', Number.NaN)).toBeUndefined();
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
