/**
 * What time it is for a visitor, from the timezone their browser reported. Business hours are
 * 9:00–18:00, Monday to Friday, in their zone.
 */
export interface LocalTime {
  /** e.g. "Tue 14:05". */
  text: string;
  outsideBusinessHours: boolean;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** Undefined when the zone is missing or unknown to this browser. */
export function localTime(timeZone: string, now: number): LocalTime | undefined {
  if (!timeZone) return undefined;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatFor(timeZone).formatToParts(now);
  } catch {
    return undefined;
  }
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  const weekday = part('weekday');
  const hour = Number(part('hour'));
  const weekend = weekday === 'Sat' || weekday === 'Sun';
  return {
    text: `${weekday} ${part('hour')}:${part('minute')}`,
    outsideBusinessHours: weekend || hour < 9 || hour >= 18,
  };
}

/** A visitor-supplied URL as a link target: only http(s), otherwise no link at all. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
