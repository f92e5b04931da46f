/**
 * Teammates in separate browser contexts (separate storage, so only WebRTC and the relay can
 * carry data between them): invite, join, presence, the relay snapshot, wrong secrets.
 */
import { test, expect } from './fixtures.ts';
import { AppPage, newOwner } from './pages/app-page.ts';
import { buildWorkspace } from './workspace-builder.ts';

test.describe.configure({ mode: 'serial' });

test('an invited teammate joins over WebRTC and both see each other online', async ({
  browser,
  stack,
}) => {
  const owner = await newOwner(browser, stack.appUrl, 'Acme');
  const link = await owner.inviteLink();
  expect(new URL(link).hash).toMatch(/^#\/join\/[A-Za-z0-9_-]+$/);
  // Alone in the team, Ada's own open tab counts as online.
  await owner.openSettings('Team');
  await expect(owner.members.filter({ hasText: 'Ada' }).getByTitle('Presence')).toHaveText(
    'Online',
  );

  const mateContext = await browser.newContext();
  const mate = new AppPage(await mateContext.newPage());
  await mate.join(link, 'Grace');
  await expect(mate.page.getByText('Acme', { exact: true })).toBeVisible();

  await mate.openSettings('Team');
  await expect(mate.members).toHaveCount(2);
  await expect(mate.members.filter({ hasText: 'Ada' }).getByTitle('Role')).toHaveText('Owner');
  await expect(mate.members.filter({ hasText: 'Ada' }).getByTitle('Presence')).toHaveText('Online');
  await expect(mate.members.filter({ hasText: 'Grace' }).getByTitle('Role')).toHaveText('Agent');

  await owner.openSettings('Team');
  await expect(owner.members.filter({ hasText: 'Grace' }).getByTitle('Presence')).toHaveText(
    'Online',
    { timeout: 15_000 },
  );
  await mate.page.screenshot({ path: 'test-results/screens/team.png' });

  // Grace closes her tab: Ada sees it at once (a crashed tab would take the awareness timeout).
  await mate.page.close({ runBeforeUnload: true });
  await expect(owner.members.filter({ hasText: 'Grace' }).getByTitle('Presence')).toHaveText(
    'Offline',
    { timeout: 5_000 },
  );
  await mateContext.close();
  await owner.page.context().close();
});

test('a new member loads the workspace from the relay snapshot with the owner gone', async ({
  browser,
  stack,
}) => {
  const owner = await newOwner(browser, stack.appUrl, 'Snapshot Co');
  const link = await owner.inviteLink();
  await owner.openSettings('Diagnostics');
  await expect(owner.page.getByTestId('backup')).toHaveText(/^Version \d+/, { timeout: 15_000 });
  await owner.page.context().close();

  const mateContext = await browser.newContext();
  const mate = new AppPage(await mateContext.newPage());
  await mate.join(link, 'Grace');
  await expect(mate.page.getByText('Snapshot Co', { exact: true })).toBeVisible();
  await mate.openSettings('Team');
  await expect(mate.members).toHaveCount(2);
  await expect(mate.members.filter({ hasText: 'Ada' }).getByTitle('Presence')).toHaveText(
    'Offline',
  );
  await mateContext.close();
});

test('a link with a wrong secret ends in a clear message, keeps nothing, and the right link then joins', async ({
  browser,
  stack,
}) => {
  const owner = await newOwner(browser, stack.appUrl, 'Private');
  const link = await owner.inviteLink();
  await owner.openSettings('Diagnostics');
  await expect(owner.page.getByTestId('backup')).toHaveText(/^Version \d+/, { timeout: 15_000 });

  const code = new URL(link).hash.replace('#/join/', '');
  const invite = JSON.parse(Buffer.from(code, 'base64url').toString()) as {
    secret: string;
    workspace: string;
  };
  const workspace = invite.workspace;
  invite.secret = Buffer.alloc(32, 7).toString('base64url');
  const forged = `${stack.appUrl}/#/join/${Buffer.from(JSON.stringify(invite)).toString('base64url')}`;

  const strangerContext = await browser.newContext();
  const stranger = await strangerContext.newPage();
  await stranger.goto(forged);
  await stranger.getByLabel('Your name').fill('Mallory');
  await stranger.getByRole('button', { name: 'Join workspace' }).click();
  const refused = stranger.getByRole('alert').filter({ hasText: "Can't join Private" });
  await expect(refused).toContainText("This invite link isn't valid — ask for a new one", {
    timeout: 10_000,
  });
  // No endless progress, none of the relay's own words.
  await expect(stranger.getByRole('progressbar')).toHaveCount(0);
  await expect(stranger.getByText(/token|unauthorized/i)).toHaveCount(0);
  // Nothing of it outlives the failure: no workspace record, no database.
  const kept = await stranger.evaluate(async (id) => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '');
    return { databases: names.filter((n) => n.includes(id)), current: localStorage.length };
  }, workspace);
  expect(kept.databases).toEqual([]);
  await stranger.screenshot({ path: 'test-results/screens/join-refused.png' });
  await stranger.getByRole('button', { name: 'Back' }).click();
  await expect(stranger.getByRole('button', { name: 'Create workspace' })).toBeVisible();
  await owner.openSettings('Team');
  await expect(owner.members).toHaveCount(1);

  // The right link, in the same browser, joins.
  const mate = new AppPage(stranger);
  await mate.join(link, 'Grace');
  await expect(stranger.getByText('Private', { exact: true })).toBeVisible();
  await expect(owner.members).toHaveCount(2, { timeout: 15_000 });

  // Without the secret there is nothing to try.
  const withoutSecret = Buffer.from(JSON.stringify({ ...invite, secret: undefined }));
  await stranger.goto(`${stack.appUrl}/#/join/${withoutSecret.toString('base64url')}`);
  await expect(stranger.getByText('This invite link is incomplete')).toBeVisible();
  await expect(stranger.getByRole('button', { name: 'Join workspace' })).toHaveCount(0);
  await strangerContext.close();
  await owner.page.context().close();
});

test('a 50,000-lead workspace reaches a new member complete', async ({ browser, stack }) => {
  test.setTimeout(180_000);
  const built = await buildWorkspace({
    appUrl: stack.appUrl,
    relayUrl: stack.relayUrl,
    leads: 50_000,
  });
  const mateContext = await browser.newContext();
  const mate = new AppPage(await mateContext.newPage());
  await mate.join(built.inviteLink, 'Grace');
  await expect(mate.page.getByLabel('50,000 leads')).toBeVisible({ timeout: 120_000 });
  await expect(mate.leadRows.first()).toBeVisible();
  await mateContext.close();
});
