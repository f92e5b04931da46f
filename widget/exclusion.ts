/**
 * Visits by automated or headless browsers (the markers Plausible and posthog-js drop too): the
 * widget sends a sealed `excluded` event for them, counted and never stored. Crawlers that tell
 * themselves apart only by their user agent are recognised by the app instead (crawlers.ts),
 * where their list costs visitors nothing.
 */
import type { ExcludedVisit } from '../src/core/capture.ts';

export function exclusionReason(): ExcludedVisit['reason'] | undefined {
  const w = window as unknown as Record<string, unknown>;
  return navigator.webdriver ||
    /HeadlessChrome/.test(navigator.userAgent) ||
    w._phantom ||
    w.__nightmare ||
    w.Cypress
    ? 'automation'
    : undefined;
}
