/**
 * The Overview, used as a team would: visitors from two campaigns, one of them engaged and won;
 * the funnel and the campaign table count them; a count opens exactly those leads; a
 * teammate's conversion reaches the other browser's Overview live.
 */
import type { Browser, Page } from '@playwright/test';
import { test, expect, visitorContext } from './fixtures.ts';
import { startTeam, type AppPage } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

/** A visitor's first visit to the demo site from a campaign's link. */
async function visitFrom(browser: Browser, site: string, campaign: string): Promise<Page> {
  const url = new URL(site);
  const [source = '', medium = '', name = ''] = campaign.split(' / ');
  url.search = new URLSearchParams({
    utm_source: source,
    utm_medium: medium,
    utm_campaign: name,
  }).toString();
  const page = await (await visitorContext(browser)).newPage();
  await page.goto(url.href);
  return page;
}

async function openOverview(app: AppPage): Promise<void> {
  await app.page.getByRole('link', { name: 'Overview', exact: true }).click();
  await expect(app.page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
}

const SPRING = 'linkedin / paid_social / spring';
const FALL = 'google / cpc / fall';

test('the Overview counts two campaigns, a count opens exactly its leads, a teammate’s win shows live', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const site = await owner.demoSiteLink();

  // Nothing yet: it says what to do.
  await openOverview(owner);
  await expect(owner.page.getByRole('main').getByRole('status')).toContainText(
    'No leads in this period',
  );
  await owner.page.screenshot({ path: 'test-results/screens/overview-empty.png', fullPage: true });

  // Two from the spring campaign (one gives a name and writes), one from the fall campaign.
  const engaged = await visitFrom(browser, site, SPRING);
  await visitFrom(browser, site, SPRING);
  await visitFrom(browser, site, FALL);
  await engaged.getByRole('button', { name: 'Open chat' }).click();
  const chat = engaged.getByRole('dialog', { name: 'Chat with us' });
  await chat.getByLabel('Your name').fill('Ada Lovelace');
  await chat.getByLabel('Your name').press('Enter');
  await chat.getByRole('textbox', { name: 'Message' }).fill('Do you have a team plan?');
  await chat.getByRole('textbox', { name: 'Message' }).press('Enter');

  const funnel = owner.page.getByRole('region', { name: 'Funnel' });
  await expect(funnel.getByRole('link', { name: /reached New Visitor/ })).toHaveText('3', {
    timeout: 15_000,
  });
  await expect(funnel.getByRole('link', { name: /reached Contacted/ })).toHaveText('1', {
    timeout: 10_000,
  });
  await expect(owner.page.getByText('3 leads so far')).toBeVisible();

  // Grace, in her browser, wins the engaged visitor: Ada's Overview follows without a reload.
  await mate.openLeads();
  await mate.leadRows.filter({ hasText: 'Ada Lovelace' }).getByRole('link').click();
  await mate.page.getByRole('button', { name: 'Mark as Customer' }).click();
  await mate.page
    .getByRole('dialog', { name: /as customer\?/ })
    .getByRole('button', { name: 'Mark as customer' })
    .click();
  await expect(funnel.getByRole('link', { name: /reached Customer/ })).toHaveText('1', {
    timeout: 15_000,
  });
  await expect(funnel).toContainText('33% of the period');

  const campaigns = owner.page.getByRole('table', { name: 'Campaigns' });
  const spring = campaigns.getByRole('row', { name: new RegExp(`^${SPRING}`) });
  const fall = campaigns.getByRole('row', { name: new RegExp(`^${FALL}`) });
  await expect(spring.getByRole('cell')).toHaveText(['2', '1', '1', '1', '50%']);
  await expect(fall.getByRole('cell')).toHaveText(['1', '0', '0', '0', '0%']);
  // Ranked by the leads they brought.
  await expect(campaigns.getByRole('rowheader')).toHaveText([SPRING, FALL]);
  await owner.page.screenshot({ path: 'test-results/screens/overview.png', fullPage: true });

  // The campaign's customers: the Leads list, filtered to exactly that lead (a customer).
  await spring.getByRole('link', { name: `1 Customers from ${SPRING}` }).click();
  await expect(owner.page.getByRole('heading', { name: 'Leads', exact: true })).toBeVisible();
  const chips = owner.page.getByRole('list', { name: 'Active filters' });
  await expect(chips).toContainText(`Campaign: ${SPRING}`);
  await expect(chips).toContainText('L4 Customer');
  await expect(chips).toContainText('First seen');
  await expect(owner.leadRows).toHaveCount(1);
  await expect(owner.leadRows.first()).toHaveAttribute('aria-label', 'Ada Lovelace');

  // The spring campaign's leads: both, the customer among them.
  await openOverview(owner);
  await owner.page
    .getByRole('table', { name: 'Campaigns' })
    .getByRole('link', { name: `2 Leads from ${SPRING}` })
    .click();
  await expect(owner.leadRows).toHaveCount(2);
  await owner.page.getByRole('button', { name: `Remove filter Campaign: ${SPRING}` }).click();
  await expect(owner.leadRows).toHaveCount(3);

  // The period is remembered: a week, after a reload.
  await openOverview(owner);
  await owner.page.getByRole('combobox', { name: 'Period' }).selectOption('7');
  await owner.page.reload();
  await expect(owner.page.getByRole('combobox', { name: 'Period' })).toHaveValue('7');
  await expect(funnel.getByRole('link', { name: /reached New Visitor/ })).toHaveText('3');
  // A range of days before anyone came: empty.
  await owner.page.getByRole('combobox', { name: 'Period' }).selectOption('range');
  await owner.page.getByLabel('From', { exact: true }).fill('2020-01-01');
  await owner.page.getByLabel('To', { exact: true }).fill('2020-01-31');
  await expect(owner.page.getByRole('main').getByRole('status')).toContainText(
    'No leads in this period',
  );
  await mate.page.context().close();
  await owner.page.context().close();
});
