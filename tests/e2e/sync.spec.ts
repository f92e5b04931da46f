/**
 * Keeping copies together when things break: teammates partitioned by a relay outage edit on
 * both sides and converge once it is back; two tabs of one person share one leader, and
 * closing the leader hands intake over without losing anything.
 */
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

test('teammates partitioned by a relay outage both edit, then converge', async ({
  browser,
  stack,
}) => {
  const owner = new AppPage(await (await browser.newContext()).newPage());
  await owner.open(stack.appUrl);
  await owner.createWorkspace('Acme', 'Ada');
  const link = await owner.inviteLink();
  const mateContext = await browser.newContext();
  const mate = new AppPage(await mateContext.newPage());
  await mate.join(link, 'Grace');
  await owner.openSettings('Team');
  await expect(owner.members.filter({ hasText: 'Grace' }).getByTitle('Presence')).toHaveText(
    'Online',
  );

  // The relay goes down and Grace's tab closes: nothing connects them any more.
  await stack.stopRelay();
  await mate.page.close({ runBeforeUnload: true });
  await expect(owner.members.filter({ hasText: 'Grace' }).getByTitle('Presence')).toHaveText(
    'Offline',
  );

  // Each side edits on its own: Ada sets the retention, Grace (from her stored copy) renames.
  await owner.openSettings('Visitors');
  await owner.page.getByRole('combobox', { name: 'Retention' }).selectOption('14');
  const back = new AppPage(await mateContext.newPage());
  await back.open(stack.appUrl);
  await back.openSettings('Team');
  await back.page.getByLabel('Your name').fill('Grace Hopper');
  await back.page.getByRole('button', { name: 'Save name' }).click();
  await expect(back.members.filter({ hasText: 'Grace Hopper' })).toHaveCount(1);
  await back.openSettings('Visitors');
  await expect(back.page.getByTestId('retention')).toHaveText('7 days');

  // The relay is back: they find each other and each gets the other's edit.
  await stack.startRelay();
  await expect(back.page.getByTestId('retention')).toHaveText('14 days', { timeout: 20_000 });
  await owner.openSettings('Team');
  await expect(owner.members.filter({ hasText: 'Grace Hopper' })).toHaveCount(1);
  await expect(owner.members).toHaveCount(2);
});

test('closing the leader tab hands intake to the other tab, losing nothing', async ({
  browser,
  stack,
}) => {
  const context = await browser.newContext();
  const first = new AppPage(await context.newPage());
  await first.open(stack.appUrl);
  await first.createWorkspace('Tabs', 'Ada');
  const link = await first.demoSiteLink();
  const second = new AppPage(await context.newPage());
  await second.open(stack.appUrl);
  await expect(second.page.getByRole('heading', { name: 'Leads', exact: true })).toBeVisible();

  await first.openSettings('Diagnostics');
  await second.openSettings('Diagnostics');
  await expect(first.page.getByTestId('leader')).toHaveText(/^Leader/);
  await expect(second.page.getByTestId('leader')).toHaveText(/^Standby/);

  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(link);
  await expect(site.getByRole('heading', { name: 'Know your numbers' })).toBeVisible();
  await second.openLeads();
  await expect(second.page.getByLabel('Score 50, Warm')).toBeVisible({ timeout: 5_000 });

  // The leader closes; the other tab takes over and picks up where it left off.
  await first.page.close({ runBeforeUnload: true });
  await site.getByRole('link', { name: 'Pricing' }).click();
  await expect(site.getByRole('heading', { name: 'Pricing' })).toBeVisible();
  await expect(second.page.getByLabel('Score 75, Hot')).toBeVisible({ timeout: 10_000 });
  await second.openSettings('Diagnostics');
  await expect(second.page.getByTestId('leader')).toHaveText(/^Leader/);
  await expect(second.page.getByTestId('dropped')).toHaveText('0');

  // After a reload the one lead is still one lead, with both visits.
  await second.page.reload();
  await second.openLeads();
  await expect(second.leadRows).toHaveCount(1);
  await expect(second.page.getByLabel('1 lead', { exact: true })).toBeVisible();
  await expect(second.page.getByLabel('Score 75, Hot')).toBeVisible();
  await visitor.close();
  await context.close();
});
