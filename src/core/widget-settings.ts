/**
 * How the chat widget presents itself on the site: an admin setting, signed in the ledger and
 * published for the widget (widget-chain.ts), which verifies it before use (what a signed one
 * may hold is in widget-schema.ts). Also when the team is open, from the business hours in the
 * team's own timezone.
 */
import { wallClock } from './time-zone.ts';

export type AskName = 'before' | 'after' | 'off';

/** The days (0 = Sunday) and the hours, `HH:MM` on the team's clock, when the team answers. */
export interface BusinessHours {
  days: number[];
  opens: string;
  closes: string;
  timezone: string;
}

export interface WidgetConfig {
  /** Accent colour, `#rrggbb`. */
  colour: string;
  position: 'right' | 'left';
  greeting: string;
  /** The question the name prompt asks. */
  namePrompt: string;
  /** When the name is asked: before the first message, after it, or never. */
  askName: AskName;
  /** Shown while the team is away, and sent as the automatic reply to a first message then. */
  awayText: string;
  /** Null: no hours, the team answers whenever someone is online. */
  hours: BusinessHours | null;
  /** Whether the launcher bubble shows (a site may open the chat from its own button instead). */
  launcher: boolean;
}

export const GREETING_MAX = 200;
export const AWAY_MAX = 500;

export const DEFAULT_WIDGET: WidgetConfig = {
  colour: '#4f46e5',
  position: 'right',
  greeting: 'Hi! Questions about us? We reply in minutes.',
  namePrompt: 'What should we call you?',
  askName: 'before',
  awayText:
    "Thanks for your message! We're away right now — we'll reply here as soon as we're back.",
  hours: null,
  launcher: true,
};

/** Whether the team is open at `now`, and if not when it opens next (epoch ms). */
export function openingOf(
  hours: BusinessHours | null,
  now: number,
): { open: true } | { open: false; opensAt: number | undefined } {
  if (!hours) return { open: true };
  const { day, minute } = wallClock(hours.timezone, now);
  const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
  const opens = minutesOf(hours.opens);
  if (hours.days.includes(day) && minute >= opens && minute < minutesOf(hours.closes)) {
    return { open: true };
  }
  // The next opening on the team's clock (a daylight-saving change in between is ignored).
  for (let ahead = 0; ahead <= 7; ahead++) {
    if (!hours.days.includes((day + ahead) % 7)) continue;
    const wait = ahead * 1440 + opens - minute;
    if (wait > 0) return { open: false, opensAt: now - (now % 60_000) + wait * 60_000 };
  }
  return { open: false, opensAt: undefined };
}

/** A signed widget setting as the widget uses it: what it leaves out is the default. */
export function widgetConfigOf(value: Partial<WidgetConfig>): WidgetConfig {
  return { ...DEFAULT_WIDGET, ...value };
}
