/**
 * Shared end-to-end fixtures: a whole product stack per test file (real relay process, built
 * app, demo site on another origin) and browser contexts that act as a real visitor.
 */
import { test as base, type Browser, type BrowserContext } from '@playwright/test';
import { startStack, type Stack } from '../../scripts/stack.ts';

/** A normal desktop Chrome: the widget rightly ignores headless and automated browsers. */
export const VISITOR_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A browser context that looks like a person's browser to the widget. */
export async function visitorContext(
  browser: Browser,
  options: { timezoneId?: string; locale?: string; userAgent?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    userAgent: options.userAgent ?? VISITOR_UA,
    timezoneId: options.timezoneId ?? 'Europe/Berlin',
    locale: options.locale ?? 'de-DE',
  });
  // A source string, not a function: it must survive any transpiler the caller runs under.
  await context.addInitScript({
    content: "Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });",
  });
  return context;
}

export const test = base.extend<object, { stack: Stack }>({
  stack: [
    // Playwright reads the fixture's dependencies from this (empty) destructuring pattern.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const stack = await startStack();
      await use(stack);
      await stack.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

export { expect } from '@playwright/test';
