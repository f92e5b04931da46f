/**
 * What a signed widget setting may hold (apart from widget-settings.ts so the chat, which only
 * reads verified settings, carries no schema).
 */
import * as v from 'valibot';
import { AWAY_MAX, DEFAULT_WIDGET, GREETING_MAX, type WidgetConfig } from './widget-settings.ts';

const clock = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/));

function knownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

const hoursSchema = v.pipe(
  v.strictObject({
    days: v.pipe(
      v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(6))),
      v.maxLength(7),
    ),
    opens: clock,
    closes: clock,
    timezone: v.pipe(v.string(), v.maxLength(64), v.check(knownTimezone)),
  }),
  v.check((hours) => hours.opens < hours.closes),
);

/** What a signed widget setting may be. The fields after `namePrompt` came later: optional. */
export const widgetConfigSchema = v.strictObject({
  colour: v.pipe(v.string(), v.regex(/^#[0-9a-f]{6}$/)),
  position: v.picklist(['right', 'left']),
  greeting: v.pipe(v.string(), v.maxLength(GREETING_MAX)),
  namePrompt: v.pipe(v.string(), v.maxLength(GREETING_MAX)),
  askName: v.optional(v.picklist(['before', 'after', 'off'])),
  awayText: v.optional(v.pipe(v.string(), v.maxLength(AWAY_MAX))),
  hours: v.optional(v.nullable(hoursSchema)),
  launcher: v.optional(v.boolean()),
});

/** A signed widget setting as the widget uses it: what it leaves out is the default. */
export function widgetConfigOf(value: v.InferOutput<typeof widgetConfigSchema>): WidgetConfig {
  return { ...DEFAULT_WIDGET, ...value };
}
