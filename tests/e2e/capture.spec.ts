/**
 * The capture path end to end, as a newcomer would see it: widget on the demo site (another
 * origin) → real relay process → the app in Chromium, live.
 */
import type { Page } from '@playwright/test';
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage } from './pages/app-page.ts';

const LANDING = '/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch';

test.describe.configure({ mode: 'serial' });

test('a visitor from a LinkedIn ad appears live as an L1 lead and /pricing raises the score', async ({
  browser,
  stack,
}) => {
  const agent = await browser.newContext();
  const app = new AppPage(await agent.newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace();
  await expect(app.page.getByRole('heading', { name: 'No leads yet' })).toBeVisible();
  const link = await app.demoSiteLink();
  expect(new URL(link).origin).toBe(stack.demoUrl);
  expect(new URL(link).origin).not.toBe(new URL(stack.appUrl).origin);
  expect(link).toContain(LANDING);

  const visitor = await visitorContext(browser, { timezoneId: 'Europe/Berlin', locale: 'de-DE' });
  const site = await visitor.newPage();
  await site.goto(link);
  await expect(site.getByRole('heading', { name: 'Know your numbers' })).toBeVisible();

  const row = app.leadRows.first();
  await expect(row).toBeVisible({ timeout: 5_000 });
  await expect(app.leadRows).toHaveCount(1);
  await expect(row.getByLabel('Stage L1, New Visitor')).toBeVisible();
  const name = await row.getAttribute('aria-label');
  expect(name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
  await expect(row.getByTitle('Channel')).toHaveText('Paid Social');
  // Arrived from an ad link, not from another page: no referrer to show.
  await expect(row.getByTitle('Referrer')).toHaveCount(0);
  await expect(row.getByTitle('Country')).toHaveText('Germany');
  // Paid ad 25 + LinkedIn 10 + UTMs 10 + timezone/country 5.
  await expect(row.getByLabel('Score 50, Warm')).toBeVisible();
  // The generated avatar: the generated name's initials on a drawn background.
  const initials = (name ?? '')
    .split(' ')
    .map((word) => word.charAt(0))
    .join('');
  const avatar = row.locator('.avatar');
  await expect(avatar).toHaveText(initials);
  await expect(avatar).toHaveCSS('background-image', /radial-gradient.*linear-gradient/);

  await site.getByRole('link', { name: 'Pricing' }).click();
  await expect(site.getByRole('heading', { name: 'Pricing' })).toBeVisible();
  await expect(row.getByLabel('Score 75, Hot')).toBeVisible({ timeout: 5_000 });
  await expect(app.leadRows).toHaveCount(1);
  await app.page.screenshot({ path: 'test-results/screens/leads-live.png' });

  // A client-side route change is a page view too, and the lead keeps its first touch.
  await site.getByRole('link', { name: 'Demo' }).click();
  await expect(site.getByRole('heading', { name: 'Book a demo' })).toBeVisible();
  await expect(row.getByTitle('Channel')).toHaveText('Paid Social');
  await expect(row).toHaveAttribute('aria-label', name ?? '');

  await visitor.close();
  await agent.close();
});

test('crawlers and page tools are not captured, only counted', async ({ browser, stack }) => {
  const agent = await browser.newContext();
  const app = new AppPage(await agent.newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Crawled');
  const link = await app.demoSiteLink();

  // A search crawler, and a performance tool that runs the page's scripts like a browser
  // (isbot alone lets it through).
  for (const userAgent of [
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 GTmetrix',
  ]) {
    const bot = await visitorContext(browser, { userAgent });
    const site = await bot.newPage();
    await site.goto(link);
    await site.goto(`${stack.demoUrl}/pricing`);
    await bot.close();
  }

  await app.openWidgetSettings();
  await app.page.getByRole('link', { name: 'Diagnostics' }).click();
  await expect(app.page.getByTestId('excluded')).toHaveText('4', { timeout: 5_000 });
  await app.openLeads();
  await expect(app.page.getByRole('heading', { name: 'No leads yet' })).toBeVisible();
  await agent.close();
});

test('a page view too long for a sealed box is capped, and never takes the visits queued with it', async ({
  browser,
  stack,
}) => {
  const agent = await browser.newContext();
  const app = new AppPage(await agent.newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Long');
  const link = await app.demoSiteLink();
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(link);
  await expect(app.leadRows).toHaveCount(1, { timeout: 5_000 });

  // The relay out of reach: the next three visits wait together in the outbox.
  const relay = `${new URL(stack.relayUrl).origin}/**`;
  await visitor.route(relay, (route) => route.abort());
  await site.evaluate(() => {
    history.pushState({}, '', '/before-long');
  });
  await site.evaluate(() => {
    history.pushState({}, '', '/long-title');
    document.title = `Long ${'title '.repeat(2_000)}`;
  });
  await site.evaluate(() => {
    history.pushState({}, '', '/after-long');
    document.title = 'After';
  });
  await site.waitForTimeout(300);
  await visitor.unroute(relay);
  await site.evaluate(() => dispatchEvent(new Event('online')));

  await app.leadRows.first().click();
  const thread = app.page.getByRole('list', { name: 'Conversation and visits' });
  await expect(thread).toContainText('/after-long', { timeout: 10_000 });
  await expect(thread).toContainText('/long-title');
  await expect(thread).toContainText('/before-long');
  await visitor.close();
  await agent.close();
});

/** The demo-site link with the snippet's `data-consent` set, as a site owner would write it. */
function withConsent(link: string, consent: string): string {
  const url = new URL(link);
  const [, b64 = ''] = /converge-install=([A-Za-z0-9_-]+)/.exec(url.hash) ?? [];
  const install = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8')) as object;
  const encoded = Buffer.from(JSON.stringify({ ...install, consent })).toString('base64url');
  url.hash = `converge-install=${encoded}`;
  return url.href;
}

test('consent mode: nothing is stored or sent until the visitor consents', async ({
  browser,
  stack,
}) => {
  const agent = await browser.newContext();
  const app = new AppPage(await agent.newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Consent');
  const link = await app.demoSiteLink();
  const intake = (page: Page): string[] => {
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/intake/')) sent.push(request.url());
    });
    return sent;
  };
  /** What the widget keeps in the site's storage (the demo site's own install key aside). */
  const stored = (page: Page) =>
    page.evaluate(async () => ({
      keys: Object.keys(localStorage).filter((k) => k.startsWith('converge:')),
      databases: (await indexedDB.databases()).length,
    }));

  // Consent required: the visit waits in memory; opening the chat is consent.
  const first = await visitorContext(browser);
  const site = await first.newPage();
  const sent = intake(site);
  await site.goto(withConsent(link, 'required'));
  await site.getByRole('link', { name: 'Pricing' }).click();
  await expect(site.getByRole('button', { name: 'Open chat' })).toBeVisible();
  await site.waitForTimeout(1_000);
  expect(sent).toEqual([]);
  expect(await stored(site)).toEqual({ keys: [], databases: 0 });
  await expect(app.page.getByRole('heading', { name: 'No leads yet' })).toBeVisible();
  await site.getByRole('button', { name: 'Open chat' }).click();
  await expect(app.leadRows).toHaveCount(1, { timeout: 5_000 });
  // Written now, and only now: the consent itself among them.
  await expect
    .poll(async () => (await stored(site)).keys.some((k) => k.endsWith(':consent')))
    .toBe(true);
  // Remembered: the next page is recorded at once.
  await site.getByRole('link', { name: 'Demo' }).click();
  await expect.poll(() => sent.length, { timeout: 5_000 }).toBeGreaterThan(1);

  // Global Privacy Control, where the site honours it: the page's own consent call.
  const gpc = await visitorContext(browser);
  await gpc.addInitScript(() => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true });
    const page = window as unknown as { ConvergeLeads?: { q?: unknown[] } };
    page.ConvergeLeads = Object.assign(
      (...args: unknown[]) => {
        (page.ConvergeLeads?.q ?? []).push(args);
      },
      { q: [] as unknown[] },
    );
  });
  const gpcSite = await gpc.newPage();
  const gpcSent = intake(gpcSite);
  await gpcSite.goto(withConsent(link, 'gpc'));
  await gpcSite.waitForTimeout(1_000);
  expect(gpcSent).toEqual([]);
  expect((await stored(gpcSite)).keys).toEqual([]);
  await gpcSite.evaluate(() => {
    (window as unknown as { ConvergeLeads: (name: string) => void }).ConvergeLeads('consent');
  });
  await expect(app.leadRows).toHaveCount(2, { timeout: 5_000 });

  // The same snippet, a browser without the signal: recorded at once.
  const plain = await visitorContext(browser);
  const plainSite = await plain.newPage();
  await plainSite.goto(withConsent(link, 'gpc'));
  await expect(app.leadRows).toHaveCount(3, { timeout: 5_000 });
  for (const context of [first, gpc, plain, agent]) await context.close();
});

test('visits made while the relay is down arrive once it is back', async ({ browser, stack }) => {
  const agent = await browser.newContext();
  const app = new AppPage(await agent.newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Outage');
  const link = await app.demoSiteLink();

  await stack.stopRelay();
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(link);
  await site.getByRole('link', { name: 'Pricing' }).click();
  await expect(site.getByRole('heading', { name: 'Pricing' })).toBeVisible();
  await site.getByRole('link', { name: 'Blog' }).click();
  await expect(site.getByRole('heading', { name: 'Blog' })).toBeVisible();
  await expect(app.page.getByRole('heading', { name: 'No leads yet' })).toBeVisible();

  await stack.startRelay();
  const row = app.leadRows.first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  // Every page view made during the outage counted: the /pricing visit raised the score.
  await expect(row.getByLabel('Score 75, Hot')).toBeVisible({ timeout: 30_000 });
  await expect(app.leadRows).toHaveCount(1);
  await visitor.close();
  await agent.close();
});
