/** What one page view records (SPEC §4). Everything is read defensively: hosts vary wildly. */
import { randomId } from '../src/core/bytes.ts';
import type { ClientHints, Navigation, PageView } from '../src/core/capture.ts';
import { LIMITS } from '../src/core/capture-limits.ts';
import { localTimeZone } from '../src/core/time-zone.ts';

interface UADataLike {
  brands?: { brand: string; version: string }[];
  mobile?: boolean;
  platform?: string;
}

/**
 * The low-entropy client hints only: they are free and synchronous. The high-entropy ones
 * (platform version, model) cost a prompt-free but slow round trip and say more about the
 * visitor than a lead needs.
 */
function clientHints(): ClientHints | undefined {
  const data = (navigator as { userAgentData?: UADataLike }).userAgentData;
  if (!data) return undefined;
  const hints: ClientHints = { brands: data.brands ?? [], mobile: !!data.mobile };
  if (data.platform) hints.platform = data.platform;
  return hints;
}

/** Where and when a page view happened: read at once, before the page moves on. */
export interface Place {
  url: string;
  title: string;
  at: number;
}

export function placeNow(): Place {
  return { url: location.href, title: document.title, at: Date.now() };
}

/** The page view at `place`, with the browser's facts. */
export function pageView(
  visitorId: string,
  nav: Navigation,
  referrer: string,
  place: Place,
): PageView {
  const event: PageView = {
    kind: 'pageview',
    id: randomId(),
    visitorId,
    at: place.at,
    // Capped here as the app caps them (a 10,000-character title would not fit a sealed box).
    url: place.url.slice(0, LIMITS.url),
    title: place.title.slice(0, LIMITS.title),
    referrer: referrer.slice(0, LIMITS.url),
    nav,
    tz: localTimeZone(),
    languages: [...(navigator.languages.length ? navigator.languages : [navigator.language])],
    ua: navigator.userAgent.slice(0, LIMITS.ua),
    screen: [screen.width, screen.height],
    viewport: [innerWidth, innerHeight],
  };
  const hints = clientHints();
  if (hints) event.hints = hints;
  if (navigator.maxTouchPoints > 0) event.touch = navigator.maxTouchPoints;
  return event;
}
