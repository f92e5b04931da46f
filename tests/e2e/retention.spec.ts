/**
 * Retention sweeps end to end (SPEC §9, §11): the admin picks a period, and never-engaged
 * visitors quiet for that long leave both teammates' lists, while a named visitor and one who
 * came back stay. Days pass on an injected clock: the app runs its team work as if later
 * (`clockOffsetMs` in its config.json), so that the visits made a few seconds ago are a day old
 * to it — all but the one made after them.
 */
import type { Page } from '@playwright/test';
import { test, expect, visitorContext } from './fixtures.ts';
import { startTeam, type AppPage } from './pages/app-page.ts';

const DAY = 86_400_000;
/** How far short of the retention period sweeps stop (a clock's slack, see core/sweep.ts). */
const SLACK = 3_600_000;

const visitorIdOf = (site: Page): Promise<string> =>
  site.evaluate((): string => {
    const entry = Object.entries(localStorage).find(([key]) => key.endsWith(':visitor'));
    return entry ? String(entry[1]) : '';
  });

const rowOf = (app: AppPage, leadId: string) =>
  app.leadRows.filter({ has: app.page.locator(`a[href*="${leadId}"]`) });

test('quiet never-engaged visitors leave both teammates’ lists; a named one and one who came back stay', async ({
  browser,
  stack,
}) => {
  test.setTimeout(120_000);
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const link = await owner.demoSiteLink();
  await owner.openSettings('Visitors');
  await owner.page.getByLabel('Retention').selectOption('1');
  await expect(mate.page.getByText('Acme', { exact: true })).toBeVisible();

  const quiet = await (await visitorContext(browser)).newPage();
  await quiet.goto(link);
  const named = await (await visitorContext(browser)).newPage();
  await named.goto(link);
  await named.getByRole('button', { name: 'Open chat' }).click();
  await named.getByLabel('Your name').fill('Rosa');
  await named.getByLabel('Your name').press('Enter');
  const back = await (await visitorContext(browser)).newPage();
  await back.goto(link);
  await owner.openLeads();
  await expect(owner.leadRows).toHaveCount(3);
  await expect(mate.leadRows).toHaveCount(3);
  await expect(owner.leadRows.filter({ hasText: 'Rosa' })).toHaveCount(1);
  const quietId = await visitorIdOf(quiet);
  const backId = await visitorIdOf(back);
  const lastVisitsAt = Date.now();

  // A quiet stretch, then the third visitor comes back to another page.
  await owner.page.waitForTimeout(20_000);
  await back.getByRole('link', { name: 'Pricing' }).click();
  await expect(rowOf(owner, backId)).toHaveCount(1);

  // "A day later": the horizon falls between the first visits and the return.
  stack.setClockOffset(DAY + SLACK - (Date.now() - lastVisitsAt - 10_000));
  await owner.page.reload();
  await mate.page.reload();
  for (const app of [owner, mate]) {
    await expect(rowOf(app, quietId)).toHaveCount(0, { timeout: 15_000 });
    await expect(app.leadRows).toHaveCount(2);
    await expect(app.leadRows.filter({ hasText: 'Rosa' })).toHaveCount(1);
    await expect(rowOf(app, backId)).toHaveCount(1);
  }

  await owner.openSettings('Visitors');
  await expect(owner.page.getByTestId('last-sweep')).toContainText('in all: 1 visitor.');
  await owner.page.screenshot({ path: 'test-results/screens/retention.png' });
  await owner.openSettings('Diagnostics');
  await expect(owner.page.getByTestId('swept')).toHaveText('1');
  stack.setClockOffset(0);
});
