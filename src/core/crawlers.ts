/**
 * Which page views are not people, told by the user agent: isbot's list of crawlers, and the
 * performance and screenshot services that run a page's scripts as a browser would and so send
 * page views (isbot lists some; the rest are below). Checked by the app as it takes visits in,
 * not by the widget: the list would weigh more than the rest of the widget.
 */
import { createIsbotFromList, list } from 'isbot';

/** Markers in the user agents of tools that run the page (case-insensitive patterns). */
export const PAGE_TOOLS = [
  'gtmetrix',
  // Yellow Lab Tools.
  '\\bylt\\b',
  'screenshot',
  'debugbear',
  'siteimprove',
  'prerender',
  'rendertron',
  'thum\\.io',
];

/** Whether a user agent is a crawler's or a page tool's. */
export const isCrawler: (ua: string) => boolean = createIsbotFromList([...list, ...PAGE_TOOLS]);
