/**
 * Time zones read the cheap way: Temporal where the browser has it, Intl otherwise. A page's
 * first Intl date format loads the browser's date data (15–30 ms on the main thread, more on
 * a busy phone), a cost the widget must not put on the host page; Temporal answers at once.
 */
interface TemporalLike {
  Now: { timeZoneId(): string };
  Instant: {
    fromEpochMilliseconds(ms: number): {
      toZonedDateTimeISO(zone: string): { dayOfWeek: number; hour: number; minute: number };
    };
  };
}

const temporal = (): TemporalLike | undefined =>
  (globalThis as { Temporal?: TemporalLike }).Temporal;

/** The zone this browser's clock is set to (IANA), or '' if it cannot say. */
export function localTimeZone(): string {
  try {
    const now = temporal()?.Now.timeZoneId();
    if (now) return now;
  } catch {
    // An incomplete Temporal: Intl knows the same.
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
}

// Names only: Temporal also takes UTC offsets ("+01:00"), which older Intl refuses.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** Whether `zone` is a time zone this browser knows. */
export function isTimeZone(zone: string): boolean {
  if (!ZONE_NAME.test(zone)) return false;
  try {
    const now = temporal();
    if (now) now.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone);
    else new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The weekday (0 = Sunday) and the minute of the day at `at` (epoch ms) on `zone`'s clock. */
export function wallClock(zone: string, at: number): { day: number; minute: number } {
  const now = temporal();
  if (now) {
    const zoned = now.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone);
    return { day: zoned.dayOfWeek % 7, minute: zoned.hour * 60 + zoned.minute };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(part('weekday')),
    minute: Number(part('hour')) * 60 + Number(part('minute')),
  };
}
