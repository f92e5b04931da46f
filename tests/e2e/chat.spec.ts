/**
 * The chat end to end: the widget on the demo site (another origin), a visitor who gives their
 * name and writes, two teammates in their own browsers, replies sealed into the visitor's
 * mailbox on the relay — live, and on the visitor's next visit.
 */
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage, startTeam } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

test('name → L2, message → L3 for both teammates; a reply reaches the visitor live and on return', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  const errors: string[] = [];
  site.on('pageerror', (err) => errors.push(err.message));
  await site.goto(await owner.demoSiteLink());
  await expect(owner.leadRows).toHaveCount(1);

  // The launcher is there and opens the chat.
  const launcher = site.getByRole('button', { name: 'Open chat' });
  await expect(launcher).toBeVisible();
  await launcher.click();
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await expect(chat).toBeVisible();
  await expect(launcher).toHaveAttribute('aria-expanded', 'true');
  await site.screenshot({ path: 'test-results/screens/widget-open.png' });

  // A name: the lead is L2 and shows it, for both teammates.
  const nameField = chat.getByLabel('Your name');
  await expect(nameField).toBeFocused();
  await nameField.fill('Ada Lovelace');
  await nameField.press('Enter');
  for (const app of [owner, mate]) {
    const row = app.leadRows.first();
    await expect(row.getByLabel('Stage L2, Engaged')).toBeVisible({ timeout: 10_000 });
    await expect(row).toHaveAttribute('aria-label', 'Ada Lovelace');
  }

  // A message: L3, in the conversation of both.
  const composer = chat.getByRole('textbox', { name: 'Message' });
  await expect(composer).toBeFocused();
  await composer.fill('Hello, do you ship to Berlin?');
  await composer.press('Enter');
  await expect(chat.getByRole('log').getByRole('listitem').last()).toContainText('Sent');
  for (const app of [owner, mate]) {
    await expect(app.leadRows.first().getByLabel('Stage L3, Contacted')).toBeVisible({
      timeout: 10_000,
    });
    await app.leadRows.first().getByRole('link').click();
    await expect(
      app.page.getByRole('listitem', { name: 'Message from Ada Lovelace' }),
    ).toContainText('Hello, do you ship to Berlin?');
  }

  // Ada replies; the visitor sees it live, marked as from her.
  await owner.page.getByLabel('Reply').fill('Yes, we do! <img src=x onerror=alert(1)>');
  await owner.page.getByLabel('Reply').press('Enter');
  const log = chat.getByRole('log');
  await expect(log).toContainText('Yes, we do! <img src=x onerror=alert(1)>', { timeout: 5_000 });
  await expect(log.getByRole('listitem').last()).toContainText('Ada');
  // Grace sees Ada's reply too.
  await expect(
    mate.page.getByRole('listitem', { name: 'Message from Ada', exact: true }),
  ).toContainText('Yes, we do!');
  await site.screenshot({ path: 'test-results/screens/widget-reply.png' });
  await owner.page.screenshot({ path: 'test-results/screens/conversation.png' });

  // The visitor leaves; Grace writes; on the next visit the launcher shows it unread.
  await chat.getByRole('button', { name: 'Close chat' }).click();
  await expect(chat).toBeHidden();
  await expect(launcher).toBeFocused();
  await site.close();
  await mate.page.getByLabel('Reply').fill('Anything else I can help with?');
  await mate.page.getByRole('button', { name: 'Send' }).click();
  await expect(
    owner.page.getByRole('listitem', { name: 'Message from Grace', exact: true }),
  ).toBeVisible();

  const again = await visitor.newPage();
  again.on('pageerror', (err) => errors.push(err.message));
  await again.goto(await owner.demoSiteLink());
  const badge = again.getByRole('button', { name: 'Open chat, 1 unread message' });
  await expect(badge).toBeVisible({ timeout: 10_000 });
  await badge.click();
  const back = again.getByRole('dialog', { name: 'Chat with us' });
  await expect(back.getByRole('log')).toContainText('Hello, do you ship to Berlin?');
  await expect(back.getByRole('log')).toContainText('Anything else I can help with?');
  await expect(again.getByRole('button', { name: 'Open chat' })).toBeVisible();

  // Nothing the team wrote ran in the visitor's page.
  expect(await again.locator('img[src="x"]').count()).toBe(0);
  expect(errors).toEqual([]);
  await visitor.close();
});

test('with nobody online the message waits on the relay, the auto-reply answers, and the team gets it later', async ({
  browser,
  stack,
}) => {
  const agent = await browser.newContext();
  const first = await agent.newPage();
  const owner = new AppPage(first);
  await owner.open(stack.appUrl);
  await owner.createWorkspace('Away', 'Ada');
  const link = await owner.demoSiteLink();
  // The team goes home: no app is open.
  await first.close();

  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(link);
  await site.getByRole('button', { name: 'Open chat' }).click();
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await expect(chat).toContainText("We're away right now");
  await chat.getByLabel('Your name').fill('Grace Hopper');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('textbox', { name: 'Message' }).fill('Is anyone there?');
  await chat.getByRole('button', { name: 'Send' }).click();
  const lines = chat.getByRole('log').getByRole('listitem');
  await expect(lines.last()).toContainText("Thanks for your message! We're away right now");
  await expect(lines.last()).toContainText('Automatic reply');
  await expect(lines.nth(-2)).toContainText('Sent');

  // Ada opens the app later: the message was waiting, with the auto-reply after it.
  const later = new AppPage(await agent.newPage());
  await later.open(stack.appUrl);
  await later.openLeads();
  const row = later.leadRows.first();
  await expect(row.getByLabel('Stage L3, Contacted')).toBeVisible({ timeout: 10_000 });
  await expect(row).toHaveAttribute('aria-label', 'Grace Hopper');
  await row.getByRole('link').click();
  await expect(
    later.page.getByRole('listitem', { name: 'Message from Grace Hopper' }),
  ).toContainText('Is anyone there?');
  await expect(later.page.getByRole('listitem', { name: 'Message from Auto-reply' })).toContainText(
    "We're away right now",
  );
  await visitor.close();
  await agent.close();
});
