/**
 * A member behind the relay's trim point (SPEC §15): while Grace's app is closed, visitors come
 * and Ada's browser stores a snapshot covering them, so the relay trims its log. When Grace
 * opens the app again her cursor is behind the trim point: the relay says so, her browser loads
 * the snapshot, and she has every lead — none lost, none doubled — and follows live again.
 */
import { test, expect, visitorContext } from './fixtures.ts';
import { startTeam } from './pages/app-page.ts';

test('a teammate behind the trimmed log catches up from the snapshot and loses nothing', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const link = await owner.demoSiteLink();
  const first = await (await visitorContext(browser)).newPage();
  await first.goto(link);
  await expect(mate.leadRows).toHaveCount(1);
  const mateContext = mate.page.context();
  await mate.page.close();

  for (let i = 0; i < 3; i++)
    await (await visitorContext(browser)).newPage().then((p) => p.goto(link));
  await expect(owner.leadRows).toHaveCount(4);
  // Ada's browser stores the snapshot a few seconds after the visits; the relay then trims.
  await owner.openSettings('Diagnostics');
  const backup = owner.page.getByTestId('backup');
  const before = await backup.textContent();
  await expect(backup).not.toHaveText(before ?? '', { timeout: 20_000 });
  await owner.page.waitForTimeout(1_000);

  const page = await mateContext.newPage();
  await page.goto(stack.appUrl);
  const rows = page.getByRole('list', { name: 'Lead list' }).getByRole('listitem');
  await expect(rows).toHaveCount(4, { timeout: 20_000 });
  // Live again: a new visit reaches her at once.
  await (await visitorContext(browser)).newPage().then((p) => p.goto(link));
  await expect(rows).toHaveCount(5);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('link', { name: 'Diagnostics', exact: true }).click();
  await expect(page.getByTestId('dropped')).toHaveText('0');
});
