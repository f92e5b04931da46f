/**
 * The capture path end to end, as a newcomer would see it: widget on the demo site (another
 * origin) → real relay process → the app in Chromium, live.
 */
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
  await expect(row.getByTitle('Source domain')).toHaveText('localhost');
  await expect(row.getByTitle('Channel')).toHaveText('Paid Social');
  await expect(row.getByTitle('Country')).toHaveText('DE');
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
  await expect(row.getByTitle('Source domain')).toHaveText('localhost');
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
