/**
 * What a signed widget setting may hold (apart from widget-settings.ts so the chat, which only
 * reads verified settings, carries no check). Written by hand rather than with the schema
 * library the app uses elsewhere: the widget checks it on visitors' pages, where the library
 * would weigh more than the whole loader. The app checks with this same function.
 */
import { isRecord } from './ledger-claims.ts';
import { isTimeZone } from './time-zone.ts';
import { AWAY_MAX, GREETING_MAX, type WidgetConfig } from './widget-settings.ts';

const FIELDS = new Set<string>([
  'colour',
  'position',
  'greeting',
  'namePrompt',
  'askName',
  'awayText',
  'hours',
  'launcher',
] satisfies (keyof WidgetConfig)[]);

const text = (value: unknown, max: number): boolean =>
  typeof value === 'string' && value.length <= max;
const clock = (value: unknown): value is string =>
  typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
const optional = (value: unknown, check: (value: unknown) => boolean): boolean =>
  value === undefined || check(value);

const knownTimezone = (timezone: unknown): boolean =>
  text(timezone, 64) && isTimeZone(timezone as string);

function isHours(hours: unknown): boolean {
  if (!isRecord(hours)) return false;
  const { days, opens, closes, timezone } = hours;
  return (
    Object.keys(hours).every((k) => ['days', 'opens', 'closes', 'timezone'].includes(k)) &&
    Array.isArray(days) &&
    days.length <= 7 &&
    days.every((day) => Number.isInteger(day) && day >= 0 && day <= 6) &&
    clock(opens) &&
    clock(closes) &&
    opens < closes &&
    knownTimezone(timezone)
  );
}

/**
 * Whether a value is a widget setting a signed claim may hold: the fields after `namePrompt`
 * came later, so they may be missing (the defaults stand in: `widgetConfigOf`); no other field.
 */
export function isWidgetConfig(value: unknown): value is Partial<WidgetConfig> {
  if (!isRecord(value) || Object.keys(value).some((k) => !FIELDS.has(k))) return false;
  const { colour, position, askName, hours, launcher } = value;
  return (
    typeof colour === 'string' &&
    /^#[0-9a-f]{6}$/.test(colour) &&
    (position === 'right' || position === 'left') &&
    text(value.greeting, GREETING_MAX) &&
    text(value.namePrompt, GREETING_MAX) &&
    optional(askName, (a) => a === 'before' || a === 'after' || a === 'off') &&
    optional(value.awayText, (a) => text(a, AWAY_MAX)) &&
    optional(hours, (h) => h === null || isHours(h)) &&
    optional(launcher, (l) => typeof l === 'boolean')
  );
}
