/**
 * Backup and restore end to end (SPEC §9): the owner downloads a passphrase-encrypted backup
 * from Settings → Backup; in a fresh browser (its own storage), a wrong passphrase is refused
 * and restores nothing, the right one brings back the same workspace — its leads, its
 * settings, and the owner as owner, able to sign admin changes with the restored key.
 */
import { readFile } from 'node:fs/promises';
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage } from './pages/app-page.ts';

const PASSPHRASE = 'a long passphrase, kept apart';

test('a backup restores the workspace in a fresh browser; a wrong passphrase restores nothing', async ({
  browser,
  stack,
}, testInfo) => {
  const ownerContext = await browser.newContext();
  const owner = new AppPage(await ownerContext.newPage());
  await owner.open(stack.appUrl);
  await owner.createWorkspace('Acme', 'Ada');
  const link = await owner.demoSiteLink();
  const visitor = await visitorContext(browser);
  await (await visitor.newPage()).goto(link);
  await expect(owner.leadRows).toHaveCount(1);
  const leadName = await owner.leadRows.first().getAttribute('aria-label');
  await owner.openSettings('Visitors');
  await owner.page.getByLabel('Retention').selectOption('14');

  await owner.openSettings('Backup');
  await owner.page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await owner.page.getByLabel('Repeat passphrase').fill(PASSPHRASE);
  const [download] = await Promise.all([
    owner.page.waitForEvent('download'),
    owner.page.getByRole('button', { name: 'Download backup' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^acme-\d{4}-\d{2}-\d{2}\.clbackup$/);
  const file = testInfo.outputPath('acme.clbackup');
  await download.saveAs(file);
  await expect(owner.page.getByRole('status').filter({ hasText: 'Saved acme-' })).toBeVisible();
  // Nothing readable in the file: not the workspace's name, not the visitor's.
  const bytes = await readFile(file);
  expect(bytes.includes(Buffer.from('Acme'))).toBe(false);
  expect(bytes.includes(Buffer.from(leadName ?? '?'))).toBe(false);
  await owner.page.screenshot({ path: 'test-results/screens/backup.png' });

  // A new laptop: nothing of the workspace in its storage.
  const laptop = await browser.newContext();
  const page = await laptop.newPage();
  await page.goto(stack.appUrl);
  await page.getByRole('button', { name: 'Restore from backup' }).click();
  await page.getByLabel('Backup file').setInputFiles(file);
  await page.getByLabel('Passphrase').fill('not the passphrase');
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('That passphrase doesn’t open this backup');
  await page.screenshot({ path: 'test-results/screens/restore-refused.png' });
  expect(
    await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const req = indexedDB.open('converge');
          req.onsuccess = () => {
            const db = req.result;
            const count = db.transaction('workspaces').objectStore('workspaces').count();
            count.onsuccess = () => {
              resolve(count.result);
              db.close();
            };
          };
        }),
    ),
  ).toBe(0);

  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  const restored = new AppPage(page);
  await expect(page.getByRole('heading', { name: 'Leads', exact: true })).toBeVisible();
  await expect(restored.leadRows).toHaveCount(1);
  await expect(restored.leadRows.first()).toHaveAttribute('aria-label', leadName ?? '');
  await restored.openSettings('Visitors');
  // The owner, with their own key: the admin-only control is theirs, and it reads 14 days.
  await expect(page.getByLabel('Retention')).toHaveValue('14');
  await page.getByLabel('Retention').selectOption('30');
  await restored.openSettings('Team');
  await expect(restored.members.filter({ hasText: 'Ada' }).getByTitle('Role')).toHaveText('Owner');
  // The change, signed with the restored key, is accepted by the first browser too.
  await owner.openSettings('Visitors');
  await expect(owner.page.getByLabel('Retention')).toHaveValue('30', { timeout: 20_000 });
  await laptop.close();
  await visitor.close();
  await ownerContext.close();
});
