/**
 * Working a lead as an agent would: open it, read where it came from and what time it is for
 * the visitor, assign, tag and convert it — with a teammate in another browser context seeing
 * every change, and who else has the lead open.
 */
import type { Browser, Locator } from '@playwright/test';
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage, startTeam } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

function tokyoNow(at: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Tokyo',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('hour')}:${part('minute')}`;
}

test('the lead detail shows exactly what was captured, and the visitor’s local time', async ({
  browser,
  stack,
}) => {
  const app = new AppPage(await (await browser.newContext()).newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Detail', 'Ada');
  const install = new URL(await app.demoSiteLink());
  // A long value, as campaigns have: 57 characters.
  const CONTENT = 'spring-launch-hero-banner-variant-b-blue-cta-above-fold1';
  install.search = `?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch&utm_content=${CONTENT}&utm_term=crm&gclid=abc123`;

  const visitor = await visitorContext(browser, { timezoneId: 'Asia/Tokyo', locale: 'ja-JP' });
  const site = await visitor.newPage();
  await site.goto(install.href);
  await expect(site.getByRole('heading', { name: 'Know your numbers' })).toBeVisible();

  await app.leadRows.first().getByRole('link').click();
  const detail = app.page.getByRole('complementary', { name: 'Lead details' });
  await expect(detail).toBeVisible();
  const landing = `${stack.demoUrl}/${install.search}`;
  // Host and path, the whole URL (query string and all) behind it.
  const sourcePage = detail.getByTestId('source-page').getByRole('link');
  await expect(sourcePage).toHaveText(new URL(landing).host);
  await expect(sourcePage).toHaveAttribute('title', landing);
  await expect(sourcePage).toHaveAttribute('href', landing);
  await expect(sourcePage).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(detail.getByTestId('referrer')).toHaveText('Direct');
  await expect(detail.getByTestId('utm-source')).toHaveText('linkedin');
  await expect(detail.getByTestId('utm-medium')).toHaveText('paid_social');
  await expect(detail.getByTestId('utm-campaign')).toHaveText('launch');
  // A long value is cut on one line, whole on hover and a click from the clipboard; nothing
  // scrolls sideways.
  await expect(detail.getByTestId('utm-content')).toHaveText(CONTENT);
  await expect(detail.getByTestId('utm-content').getByTitle(CONTENT)).toBeVisible();
  await expect(detail.getByRole('button', { name: 'Copy content' })).toBeVisible();
  for (const panel of await app.page.locator('.facts').all()) {
    expect(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  }
  await app.page.screenshot({ path: 'test-results/screens/detail-long-values.png' });
  await expect(detail.getByTestId('utm-term')).toHaveText('crm');
  await expect(detail.getByTestId('click-gclid')).toHaveText('abc123');

  const before = tokyoNow(Date.now());
  const shown = (await detail.getByTestId('local-time').innerText()).split('\n')[0]?.trim();
  expect([before, tokyoNow(Date.now())]).toContain(shown);
  await expect(detail.getByText('Asia/Tokyo')).toBeVisible();
  await expect(detail.getByText('ja-JP')).toBeVisible();
  await expect(detail.getByTestId('page-views')).toHaveText('1');
  const breakdown = detail.getByRole('list', { name: 'Score breakdown' });
  await expect(breakdown.getByRole('listitem')).toHaveText([
    /Came from paid ads\s*\+25/,
    /ProductHunt or LinkedIn\s*\+10/,
    /UTM tracking parameters\s*\+10/,
    /Timezone and country detected\s*\+5/,
  ]);

  // A new page view shows up in the visit timeline, live.
  await site.getByRole('link', { name: 'Pricing' }).click();
  await expect(site.getByRole('heading', { name: 'Pricing' })).toBeVisible();
  // The conversation pane, oldest first: visits are its quiet lines.
  const visits = app.page
    .getByRole('list', { name: 'Conversation and visits' })
    .getByRole('listitem');
  await expect(visits).toHaveCount(2);
  await expect(visits.last()).toContainText('/pricing');
  await expect(detail.getByTestId('page-views')).toHaveText('2');
  await app.page.screenshot({ path: 'test-results/screens/lead-detail.png' });
  await visitor.close();
});

async function teamWithALead(browser: Browser, appUrl: string) {
  const { owner, mate } = await startTeam(browser, appUrl);
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(await owner.demoSiteLink());
  await expect(site.getByRole('heading', { name: 'Know your numbers' })).toBeVisible();
  await expect(owner.leadRows).toHaveCount(1);
  await expect(mate.leadRows).toHaveCount(1);
  return { owner, mate, visitor };
}

test('assigning, tagging and converting reach a teammate; a customer moves to the Inbox', async ({
  browser,
  stack,
}) => {
  const { owner, mate, visitor } = await teamWithALead(browser, stack.appUrl);
  await owner.leadRows.first().getByRole('link').click();
  await mate.leadRows.first().getByRole('link').click();

  // Each sees the other has the lead open.
  await expect(owner.page.getByTestId('also-viewing')).toHaveText('Grace viewing');
  await expect(mate.page.getByTestId('also-viewing')).toHaveText('Ada viewing');

  await owner.page.getByRole('button', { name: 'Assign to me' }).click();
  const tagInput = owner.page.getByLabel('Add tag');
  await tagInput.fill('VIP');
  await tagInput.press('Enter');
  await tagInput.fill('enterprise');
  await tagInput.press('Enter');

  const mateTags = mate.page.getByRole('list', { name: 'Tags' }).getByRole('listitem');
  await expect(mateTags).toHaveText(['enterprise', 'vip']);
  await expect(mate.page.getByLabel('Assignee')).toHaveValue(/.+/);
  await expect(mate.page.getByLabel('Assignee').locator('option:checked')).toHaveText('Ada');
  await expect(mate.leadRows.first().getByTitle('Assignee')).toHaveText('Ada');

  // Grace takes one tag off and the lead over; Ada sees both.
  await mate.page.getByRole('button', { name: 'Remove tag enterprise' }).click();
  await mate.page.getByRole('button', { name: 'Assign to me' }).click();
  const ownerTags = owner.page.getByRole('list', { name: 'Tags' }).getByRole('listitem');
  await expect(ownerTags).toHaveText(['vip']);
  await expect(owner.page.getByLabel('Assignee').locator('option:checked')).toHaveText('Grace');

  // Converting asks first; then the lead leaves Leads and shows in the Inbox, for both.
  await owner.page.getByRole('button', { name: 'Mark as Customer' }).click();
  const dialog = owner.page.getByRole('dialog', { name: /as customer\?/ });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await owner.page.getByRole('button', { name: 'Mark as Customer' }).click();
  await dialog.getByRole('button', { name: 'Mark as customer' }).click();
  await expect(owner.page.getByText('Customer', { exact: true })).toBeVisible();

  for (const who of [owner, mate]) {
    await who.openLeads();
    await expect(who.leadRows).toHaveCount(0);
    await who.page.getByRole('link', { name: 'Inbox', exact: true }).click();
    const inbox = who.page.getByRole('list', { name: 'Conversation list' }).getByRole('listitem');
    await expect(inbox).toHaveCount(1);
    await expect(inbox.first().getByLabel('Stage L4, Customer')).toBeVisible();
  }
  await visitor.close();
});

test('a lead crossing 70 raises an alert to assign it, and a desktop notification', async ({
  browser,
  stack,
}) => {
  const context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: stack.appUrl });
  // Count the page's own reads of the stored leads: the workers tell it everything it shows,
  // so there must be none (a worker's IndexedDB calls are not the page's and are not counted).
  await context.addInitScript({
    content: `(() => {
      window.leadReads = 0;
      const stores = new Set(['leads', 'list', 'facts']);
      for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype]) {
        for (const method of ['get', 'getAll', 'getAllKeys', 'getKey', 'count', 'openCursor', 'openKeyCursor']) {
          const real = proto[method];
          proto[method] = function (...args) {
            const store = this instanceof IDBIndex ? this.objectStore : this;
            if (stores.has(store.name)) window.leadReads++;
            return real.apply(this, args);
          };
        }
      }
    })()`,
  });
  // Record desktop notifications instead of showing them (headless has no desktop).
  await context.addInitScript({
    content: `(() => {
      const Real = window.Notification;
      window.shownNotifications = [];
      function Recorded(title, options) {
        window.shownNotifications.push({ title, body: options && options.body });
        return { close() {}, onclick: null };
      }
      Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
      Recorded.requestPermission = () => Real.requestPermission();
      window.Notification = Recorded;
    })()`,
  });
  const app = new AppPage(await context.newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Hot', 'Ada');
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(await app.demoSiteLink());
  await expect(app.page.getByLabel('Score 50, Warm')).toBeVisible();
  const alerts = app.page.getByRole('region', { name: 'Hot lead alerts' });
  await expect(alerts.getByRole('status')).toHaveCount(0);

  await site.getByRole('link', { name: 'Pricing' }).click();
  await expect(site.getByRole('heading', { name: 'Pricing' })).toBeVisible();
  const name = (await app.leadRows.first().getAttribute('aria-label')) ?? '';
  const alert = alerts.getByRole('status');
  await expect(alert).toContainText(`${name} is hot`);
  await expect(alert).toContainText('score 75');
  // Where it hides no work: clear of the list (and its score column).
  await expectApart(alert, app.page.getByRole('list', { name: 'Lead list' }));
  const shown = await app.page.evaluate('window.shownNotifications');
  expect(shown).toEqual([{ title: `${name} is hot`, body: 'Score 75 · localhost' }]);

  await alert.getByRole('button', { name: 'Assign to me' }).click();
  await expect(alert).toHaveCount(0);
  await expect(app.leadRows.first().getByTitle('Assignee')).toHaveText('Ada');
  // The lead's detail, too, comes from the team worker.
  await app.leadRows.first().click();
  await expect(app.page.getByTestId('page-views')).toHaveText('2');
  expect(await app.page.evaluate('window.leadReads')).toBe(0);
  await visitor.close();
});

/** Two parts of the page that must not cover each other. */
async function expectApart(a: Locator, b: Locator): Promise<void> {
  const [boxA, boxB] = await Promise.all([a.boundingBox(), b.boundingBox()]);
  if (!boxA || !boxB) throw new Error('not on screen');
  const overlap =
    boxA.x < boxB.x + boxB.width &&
    boxB.x < boxA.x + boxA.width &&
    boxA.y < boxB.y + boxB.height &&
    boxB.y < boxA.y + boxA.height;
  expect(overlap, `${JSON.stringify(boxA)} covers ${JSON.stringify(boxB)}`).toBe(false);
}

test('a burst of hot leads shows as one toast, clear of the work', async ({ browser, stack }) => {
  const app = new AppPage(await (await browser.newContext()).newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Burst', 'Ada');
  const link = await app.demoSiteLink();
  await app.openLeads();
  const visitors = await Promise.all([1, 2, 3, 4].map(() => visitorContext(browser)));
  await Promise.all(
    visitors.map(async (visitor) => {
      const site = await visitor.newPage();
      await site.goto(link);
      await site.getByRole('link', { name: 'Pricing' }).click();
    }),
  );
  await expect(app.leadRows).toHaveCount(4, { timeout: 10_000 });
  const alerts = app.page.getByRole('region', { name: 'Hot lead alerts' });
  await expect(alerts.getByRole('status')).toHaveText(/4 new hot leads/, { timeout: 10_000 });
  await expect(alerts.getByRole('status')).toHaveCount(1);
  await expectApart(alerts, app.page.getByRole('list', { name: 'Lead list' }));
  await app.page.screenshot({ path: 'test-results/screens/hot-burst.png' });
  await alerts.getByRole('button', { name: 'Dismiss alerts' }).click();
  await expect(alerts.getByRole('status')).toHaveCount(0);
  for (const visitor of visitors) await visitor.close();
});
