/**
 * A captured page view for tests and benches: what the widget sends for a desktop Chrome
 * visitor in Berlin, with the fields a case cares about given.
 */
import type { PageView } from '../src/core/capture.ts';

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export function pageView(
  fields: Pick<PageView, 'id' | 'visitorId' | 'at'> & Partial<PageView>,
): PageView {
  return {
    kind: 'pageview',
    url: 'https://site.example/',
    title: '/',
    referrer: '',
    nav: 'load',
    tz: 'Europe/Berlin',
    languages: ['de-DE'],
    ua: CHROME_UA,
    screen: [1920, 1080],
    viewport: [1280, 800],
    ...fields,
  };
}
