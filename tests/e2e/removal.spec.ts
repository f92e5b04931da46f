/**
 * Removing a member for good (SPEC §9, §10): Ada (owner) removes Bob while Grace's app is
 * closed. A new team secret goes to Ada and Grace only; the relay takes only the new secret's
 * token. Bob, in his own browser, is told he was removed and sees no lead captured after it;
 * his old invite link no longer opens the workspace; Grace picks the new secret up when she
 * opens the app again, and Ada and Grace keep working together on it.
 */
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage, startTeam } from './pages/app-page.ts';

test('a removed member reads nothing new and cannot rejoin; the others keep syncing', async ({
  browser,
  stack,
}) => {
  test.setTimeout(120_000);
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const link = await owner.inviteLink();
  const bob = new AppPage(await (await browser.newContext()).newPage());
  await bob.join(link, 'Bob');
  const site = await owner.demoSiteLink();
  await (await visitorContext(browser)).newPage().then((p) => p.goto(site));
  for (const app of [owner, mate, bob]) await expect(app.leadRows).toHaveCount(1);

  // Grace is away during the removal.
  const graceContext = mate.page.context();
  await mate.page.close();
  await owner.openSettings('Team');
  await expect(owner.members).toHaveCount(3);
  await owner.page.getByRole('button', { name: 'Remove Bob' }).click();
  await owner.page.getByRole('button', { name: 'Remove for good' }).click();
  await expect(owner.page.getByRole('status').filter({ hasText: 'Bob was removed' })).toBeVisible();
  await expect(owner.members).toHaveCount(2, { timeout: 20_000 });
  await owner.page.screenshot({ path: 'test-results/screens/removal.png' });
  await expect(bob.page.getByRole('alert')).toContainText('You were removed from this workspace', {
    timeout: 20_000,
  });

  // Ada is on the new secret (her app reopened on it); a new visitor reaches her.
  await owner.openLeads();
  await expect(owner.leadRows).toHaveCount(1, { timeout: 20_000 });
  await (await visitorContext(browser)).newPage().then((p) => p.goto(site));
  await expect(owner.leadRows).toHaveCount(2, { timeout: 20_000 });

  // Bob's browser got nothing new, even after a reload.
  await bob.page.reload();
  await bob.page.waitForTimeout(3_000);
  await expect(bob.leadRows).toHaveCount(1);
  // The old invite link opens nothing in a fresh browser: the relay no longer takes its token,
  // and the team's browsers are no longer in its room.
  const stranger = new AppPage(await (await browser.newContext()).newPage());
  await stranger.page.goto(link);
  await stranger.page.getByLabel('Your name').fill('Bob again');
  await stranger.page.getByRole('button', { name: 'Join workspace' }).click();
  await stranger.page.waitForTimeout(5_000);
  await expect(stranger.leadRows).toHaveCount(0);
  await stranger.page.close();

  // Grace comes back with nobody else in the old room (Bob gone too): only the relay can tell
  // her. It answers her old token with the change, her new secret sealed to her inside.
  await bob.page.close();
  const grace = new AppPage(await graceContext.newPage());
  await grace.open(stack.appUrl);
  await expect(grace.leadRows).toHaveCount(2, { timeout: 30_000 });
  // Ada and Grace still see each other as the team, without Bob.
  await owner.openSettings('Team');
  await expect(owner.members).toHaveCount(2);
  await grace.openSettings('Team');
  await expect(grace.members).toHaveCount(2, { timeout: 20_000 });
  await expect(grace.members.filter({ hasText: 'Ada' }).getByTitle('Presence')).toHaveText(
    'Online',
    { timeout: 20_000 },
  );
  await expect(grace.page.getByRole('alert')).toHaveCount(0);
});
