import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCrawler } from '../../src/core/crawlers.ts';

/** The `user-agents` package's data: user agents of real browsers, as seen on real sites. */
function realBrowsers(): string[] {
  const dist = dirname(createRequire(import.meta.url).resolve('user-agents'));
  const data = JSON.parse(readFileSync(join(dist, 'user-agents.json'), 'utf8')) as {
    userAgent: string;
  }[];
  return [...new Set(data.map((b) => b.userAgent))];
}

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('crawlers', () => {
  it.each([
    [
      'a search crawler',
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    ],
    ['GTmetrix', `${CHROME} GTmetrix`],
    ['Yellow Lab Tools', `${CHROME} YLT`],
    [
      'Lighthouse / PageSpeed Insights',
      'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse',
    ],
    ['WebPageTest', `${CHROME} PTST/241201.120000`],
    ['a screenshot service', `${CHROME} ScreenshotMachine/1.0`],
    ['DebugBear', `${CHROME} DebugBear`],
    ['a prerenderer', `${CHROME} Prerender (+https://github.com/prerender/prerender)`],
  ])('recognises %s', (_, ua) => {
    expect(isCrawler(ua)).toBe(true);
  });

  it('takes no real browser for one (a corpus of real user agents)', () => {
    const uas = realBrowsers();
    expect(uas.length).toBeGreaterThan(500);
    expect(uas.filter(isCrawler)).toEqual([]);
  });

  it('does not mistake words that merely contain a marker', () => {
    expect(isCrawler(`${CHROME} Stylt/1.0`)).toBe(false);
  });
});
