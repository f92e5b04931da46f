/**
 * Which visits are not people: known crawlers (isbot's list) and automated or headless browsers
 * (the markers Plausible and posthog-js drop too). Such visits are counted, never stored.
 */
import { isbot } from 'isbot';
import type { ExcludedVisit } from '../src/core/capture.ts';

export function exclusionReason(): ExcludedVisit['reason'] | undefined {
  const ua = navigator.userAgent;
  const w = window as unknown as Record<string, unknown>;
  if (navigator.webdriver || /HeadlessChrome/.test(ua) || w._phantom || w.__nightmare || w.Cypress)
    return 'automation';
  return isbot(ua) ? 'bot' : undefined;
}
