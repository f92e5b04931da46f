/**
 * Working the list as an agent: filters alone and combined (with counts and chips, remembered
 * across a reload), search, the keyboard, CSV export — and visitor text that tries to run code.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from '@playwright/test';
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

/** Opens the demo site as a new visitor with the given query; resolves once captured. */
async function visit(browser: Browser, demoLink: string, search: string): Promise<void> {
  const url = new URL(demoLink);
  url.search = search;
  const context = await visitorContext(browser);
  const page = await context.newPage();
  await page.goto(url.href);
  await expect(page.getByRole('heading', { name: 'Know your numbers' })).toBeVisible();
  await context.close();
}

async function rowNames(app: AppPage): Promise<string[]> {
  return (await app.leadRows.all())
    .map((row) => row.getAttribute('aria-label'))
    .reduce<Promise<string[]>>(
      async (acc, name) => [...(await acc), (await name) ?? ''],
      Promise.resolve([]),
    );
}

async function openLead(page: Page, name: string): Promise<void> {
  await page.getByRole('list', { name: 'Lead list' }).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible();
}

test('filters alone and combined, with counts and chips, remembered across a reload', async ({
  browser,
  stack,
}) => {
  const app = new AppPage(await (await browser.newContext()).newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Filters', 'Ada');
  const link = await app.demoSiteLink();
  await visit(browser, link, '?utm_source=linkedin&utm_medium=paid_social');
  await visit(browser, link, '?utm_source=newsletter&utm_medium=email');
  await visit(browser, link, '?utm_source=google&utm_medium=cpc');
  await visit(browser, link, '');
  await expect(app.leadRows).toHaveCount(4);
  const [first, second, third] = await rowNames(app);
  if (!first || !second || !third) throw new Error('expected four leads');

  // Ada takes the first and tags two.
  await openLead(app.page, first);
  await app.page.getByRole('button', { name: 'Assign to me' }).click();
  await app.page.getByLabel('Add tag').fill('vip');
  await app.page.getByLabel('Add tag').press('Enter');
  await openLead(app.page, third);
  for (const tag of ['vip', 'enterprise']) {
    await app.page.getByLabel('Add tag').fill(tag);
    await app.page.getByLabel('Add tag').press('Enter');
  }
  await expect(app.page.getByRole('list', { name: 'Tags' }).getByRole('listitem')).toHaveText([
    'enterprise',
    'vip',
  ]);
  await app.page.getByRole('link', { name: 'Close lead' }).click();

  const filters = app.page.getByRole('dialog', { name: 'Filters' });
  await app.page.getByRole('button', { name: 'Filters', exact: true }).click();
  await expect(filters.getByRole('radio', { name: /^Unassigned/ })).toHaveAccessibleName(
    'Unassigned 3',
  );
  await expect(filters.getByRole('checkbox', { name: /^L1/ })).toHaveAccessibleName(
    'L1 New Visitor 4',
  );
  await expect(filters.getByRole('checkbox', { name: /^vip/ })).toHaveAccessibleName('vip 2');

  // Assignment alone.
  await filters.getByRole('radio', { name: /^Assigned to me/ }).check();
  await expect(app.leadRows).toHaveCount(1);
  await expect.poll(() => rowNames(app)).toEqual([first]);
  // Counts follow the other filters: among leads assigned to Ada, one has "vip".
  await expect(filters.getByRole('checkbox', { name: /^vip/ })).toHaveAccessibleName('vip 1');

  // Combined with a tag: nobody is both assigned to Ada and "enterprise".
  await filters.getByRole('checkbox', { name: /^enterprise/ }).check();
  await expect(app.page.getByRole('heading', { name: 'No leads match' })).toBeVisible();
  await app.page.keyboard.press('Escape');
  await expect(filters).toBeHidden();
  const chips = app.page.getByRole('list', { name: 'Active filters' });
  await expect(chips.getByRole('button', { name: /^Remove filter/ })).toHaveText([
    'Assigned to me',
    'Tag: enterprise',
  ]);
  await chips.getByRole('button', { name: 'Remove filter Assigned to me' }).click();
  await expect.poll(() => rowNames(app)).toEqual([third]);

  // Stage alone: everyone here is L1; nobody is L2 yet.
  await app.page.getByRole('button', { name: 'Filters', exact: true }).click();
  await filters.getByRole('checkbox', { name: /^enterprise/ }).uncheck();
  await filters.getByRole('checkbox', { name: /^L2/ }).check();
  await expect(app.page.getByRole('heading', { name: 'No leads match' })).toBeVisible();
  await filters.getByRole('checkbox', { name: /^L2/ }).uncheck();
  await filters.getByRole('checkbox', { name: /^L1/ }).check();
  await filters.getByRole('radio', { name: /^Unassigned/ }).check();
  await expect(app.leadRows).toHaveCount(3);
  await app.page.screenshot({ path: 'test-results/screens/filters.png' });
  await app.page.keyboard.press('Escape');

  // Remembered across a reload.
  await app.page.reload();
  await expect(chips.getByRole('button', { name: /^Remove filter/ })).toHaveText([
    'Unassigned',
    'L1 New Visitor',
  ]);
  await expect(app.leadRows).toHaveCount(3);
  await chips.getByRole('button', { name: 'Clear filters' }).click();
  await expect(app.leadRows).toHaveCount(4);

  // Search covers names, source domains and tags.
  const search = app.page.getByRole('searchbox', { name: 'Search leads' });
  await search.fill('vip');
  await expect(app.leadRows).toHaveCount(2);
  await search.fill(second.toLowerCase());
  await expect.poll(() => rowNames(app)).toEqual([second]);
  await search.fill('localhost');
  await expect(app.leadRows).toHaveCount(4);
  await app.page.screenshot({ path: 'test-results/screens/list.png' });

  // The field and the search are one state: shown as a chip, and Esc clears both.
  await search.fill('vip');
  await expect(app.leadRows).toHaveCount(2);
  await expect(chips.getByRole('button', { name: 'Remove filter Search: vip' })).toBeVisible();
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect(app.leadRows).toHaveCount(4);
  await expect(chips).toBeHidden();
  await search.fill('vip');
  await chips.getByRole('button', { name: 'Remove filter Search: vip' }).click();
  await expect(search).toHaveValue('');
  await expect(app.leadRows).toHaveCount(4);
});

test('the keyboard alone works the list', async ({ browser, stack }) => {
  const app = new AppPage(await (await browser.newContext()).newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Keys', 'Ada');
  const link = await app.demoSiteLink();
  await visit(browser, link, '?utm_source=linkedin');
  await visit(browser, link, '?utm_source=google');
  await expect(app.leadRows).toHaveCount(2);
  const [, second] = await rowNames(app);
  await app.page.locator('body').click();

  await app.page.keyboard.press('j');
  // Focus follows the cursor, so a screen reader says which lead it is on.
  await expect(app.leadRows.nth(0).getByRole('link')).toBeFocused();
  await app.page.keyboard.press('j');
  await expect(app.leadRows.nth(1).getByRole('link')).toBeFocused();
  await app.page.keyboard.press('Enter');
  await expect(app.page.getByRole('heading', { name: second, level: 2 })).toBeVisible();
  await app.page.keyboard.press('a');
  await expect(app.page.getByLabel('Assignee').locator('option:checked')).toHaveText('Me (Ada)');
  await app.page.keyboard.press('Escape');
  await expect(app.page.getByRole('complementary', { name: 'Lead details' })).toBeHidden();

  await app.page.keyboard.press('/');
  await expect(app.page.getByRole('searchbox', { name: 'Search leads' })).toBeFocused();
  await app.page.keyboard.press('Escape');
  await app.page.keyboard.press('?');
  const help = app.page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Assign the lead to me');
  await app.page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('the filtered list exports as CSV a spreadsheet reads right', async ({ browser, stack }) => {
  const app = new AppPage(await (await browser.newContext()).newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Export', 'Ada');
  const link = await app.demoSiteLink();
  await visit(browser, link, '?utm_source=linkedin&utm_medium=paid_social&utm_campaign=a,b "c"');
  await visit(browser, link, '?utm_source=google&utm_medium=cpc&gclid=xyz');
  await expect(app.leadRows).toHaveCount(2);
  const [newest] = await rowNames(app);
  if (!newest) throw new Error('no lead');
  await openLead(app.page, newest);
  await app.page.getByRole('button', { name: 'Assign to me' }).click();
  await app.page.getByLabel('Add tag').fill('=cmd');
  await app.page.getByLabel('Add tag').press('Enter');

  const downloading = app.page.waitForEvent('download');
  await app.page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await downloading).path();
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  const lines = text.split('\r\n');
  expect(lines[0]).toBe(
    'Name,Generated name,Stage,Score,Band,Assignee,Tags,Source domain,Source page,Referrer,' +
      'Channel,Paid,UTM source,UTM medium,UTM campaign,UTM content,UTM term,Click ids,Country,' +
      'Timezone,Device,Browser,OS,First seen,Last activity,Page views,Lead id',
  );
  expect(lines).toHaveLength(4); // header, two leads, the empty string after the last CRLF
  expect(lines[3]).toBe('');
  const google = lines.find((l) => l.includes('gclid=xyz')) ?? '';
  expect(google).toContain(`${newest},`);
  expect(google).toContain(",Ada,'=cmd,localhost,");
  expect(google).toContain(',Paid Search,yes,google,cpc,,,,gclid=xyz,DE,Europe/Berlin,desktop,');
  expect(google).toMatch(/,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,\d{4}-\d\d-\d\dT[^,]+Z,1,/);
  const linkedin = lines.find((l) => l.includes('linkedin,paid_social')) ?? '';
  expect(linkedin).toContain(',"a,b ""c""",');

  // Filtered: only what the list shows.
  await app.page.getByRole('button', { name: 'Filters', exact: true }).click();
  await app.page
    .getByRole('dialog', { name: 'Filters' })
    .getByRole('radio', { name: /^Assigned to me/ })
    .check();
  await app.page.keyboard.press('Escape');
  await expect(app.leadRows).toHaveCount(1);
  const again = app.page.waitForEvent('download');
  await app.page.getByRole('button', { name: 'Export CSV' }).click();
  const filtered = await readFile(await (await again).path(), 'utf8');
  expect(filtered.split('\r\n')).toHaveLength(3);
});

test('visitor text never runs: names, URLs, titles and UTMs render as text', async ({
  browser,
  stack,
}) => {
  const app = new AppPage(await (await browser.newContext()).newPage());
  const dialogs: string[] = [];
  app.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await app.open(stack.appUrl);
  await app.createWorkspace('Hostile', 'Ada');
  const link = new URL(await app.demoSiteLink());
  const payloads = [
    '<img src=x onerror=alert(1)>',
    '"><script>alert(2)</script>',
    "javascript:alert('3')",
    '<svg/onload=alert(4)>',
  ];
  link.search = `?utm_source=${encodeURIComponent(payloads[0] ?? '')}&utm_medium=${encodeURIComponent(
    payloads[1] ?? '',
  )}&utm_campaign=${encodeURIComponent(payloads[2] ?? '')}&utm_term=${encodeURIComponent(payloads[3] ?? '')}`;

  const context = await visitorContext(browser);
  const site = await context.newPage();
  await site.goto(link.href, { referer: 'https://evil.example/?q=<script>alert(5)</script>' });
  await expect(site.getByRole('heading', { name: 'Know your numbers' })).toBeVisible();
  // A page title and path chosen by the page, seen on a client-side navigation.
  await site.evaluate(() => {
    document.title = '<img src=y onerror=alert(6)>';
    history.pushState({}, '', '/"><svg onload=alert(7)>');
  });
  await context.close();

  await expect(app.leadRows).toHaveCount(1);
  await app.leadRows.first().getByRole('link').click();
  const detail = app.page.getByRole('complementary', { name: 'Lead details' });
  await expect(detail.getByTestId('utm-source')).toHaveText(payloads[0] ?? '');
  await expect(detail.getByTestId('utm-medium')).toHaveText(payloads[1] ?? '');
  await expect(detail.getByTestId('utm-campaign')).toHaveText(payloads[2] ?? '');
  await expect(detail.getByTestId('utm-term')).toHaveText(payloads[3] ?? '');
  await expect(detail.getByTestId('referrer')).toContainText('evil.example');
  // The conversation pane, oldest first: visits are its quiet lines.
  const visits = app.page
    .getByRole('list', { name: 'Conversation and visits' })
    .getByRole('listitem');
  await expect(visits).toHaveCount(2);
  await expect(visits.last()).toContainText('<img src=y onerror=alert(6)>');

  // Nothing ran and nothing was injected.
  await app.page.waitForTimeout(500);
  expect(dialogs).toEqual([]);
  expect(
    await app.page.locator('img[src="x"], img[src="y"], svg[onload], script:not([src])').count(),
  ).toBe(0);
  // Links to visitor-supplied URLs are http(s) only, and open without an opener.
  for (const a of await app.page.locator('a[target="_blank"]').all()) {
    expect(await a.getAttribute('href')).toMatch(/^https?:/);
    expect(await a.getAttribute('rel')).toBe('noopener noreferrer');
  }
});

test('no status claims what is not true, even for a moment', async ({ browser, stack }) => {
  const context = await browser.newContext();
  // Everything the page ever says in the sidebar's status, and whether it ever refused the
  // owner, recorded from the first paint on.
  await context.addInitScript(() => {
    const said = new Set<string>();
    const page = window as unknown as { said: Set<string> };
    page.said = said;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('nav[aria-label="Main"] [role="status"]')) {
        said.add(el.textContent.trim());
      }
      if (document.body.textContent.includes('Only admins can change')) said.add('refused');
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const app = new AppPage(await context.newPage());
  await app.open(stack.appUrl);
  await app.createWorkspace('Truthful', 'Ada');
  // An empty list has nothing to export.
  await expect(app.page.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
  await app.openWidgetSettings();
  await expect(app.page.getByRole('form', { name: 'Widget settings' })).toBeVisible();
  await app.page.reload();
  await expect(app.page.getByRole('form', { name: 'Widget settings' })).toBeVisible();
  await app.page.getByRole('link', { name: 'Scoring', exact: true }).click();
  await app.page.waitForTimeout(500);
  const said = await app.page.evaluate(() => [
    ...(window as unknown as { said: Set<string> }).said,
  ]);
  expect(said).toContain('Receiving visitors');
  expect(said).not.toContain('Synced with your other tab');
  expect(said).not.toContain('Relay unreachable, retrying');
  expect(said).not.toContain('refused');
  await context.close();
});
