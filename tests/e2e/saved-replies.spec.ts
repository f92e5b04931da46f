/**
 * Saved replies: an admin writes them in Settings → Replies (an agent only reads them), and any
 * teammate inserts one into a reply with `/` or the picker, by keyboard, and sends it to the
 * visitor.
 */
import { test, expect, visitorContext } from './fixtures.ts';
import { startTeam } from './pages/app-page.ts';

test('an admin’s saved replies are inserted with / or the picker, and reach the visitor', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);

  await owner.openSettings('Replies');
  await expect(owner.page.getByText('No saved replies yet.')).toBeVisible();
  const add = async (title: string, text: string) => {
    await owner.page.getByLabel('Title').fill(title);
    await owner.page.getByLabel('Reply', { exact: true }).fill(text);
    await owner.page.getByRole('button', { name: 'Add reply' }).click();
    await expect(owner.page.getByRole('listitem', { name: title })).toBeVisible();
  };
  await add('Shipping', 'We ship to all of Europe within 3 days.');
  await add('Pricing', 'Plans start at 20 € a month — see /pricing.');
  // Edited in place.
  await owner.page.getByRole('button', { name: 'Edit Pricing' }).click();
  await owner.page.getByLabel('Reply', { exact: true }).fill('Plans start at 25 € a month.');
  await owner.page.getByRole('button', { name: 'Save reply' }).click();
  await expect(owner.page.getByRole('listitem', { name: 'Pricing' })).toContainText('25 €');

  // The agent sees them, without controls.
  await mate.openSettings('Replies');
  await expect(mate.page.getByRole('listitem', { name: 'Shipping' })).toBeVisible();
  await expect(mate.page.getByRole('button', { name: 'Add reply' })).toHaveCount(0);
  await expect(mate.page.getByRole('button', { name: 'Delete Shipping' })).toHaveCount(0);

  // A visitor writes.
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(await owner.demoSiteLink());
  await site.getByRole('button', { name: 'Open chat' }).click();
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await chat.getByLabel('Your name').fill('Linus');
  await chat.getByLabel('Your name').press('Enter');
  await chat.getByRole('textbox', { name: 'Message' }).fill('Where do you ship?');
  await chat.getByRole('textbox', { name: 'Message' }).press('Enter');

  // Grace answers with `/ship` + Enter, then sends.
  await mate.openLeads();
  await mate.leadRows.first().getByRole('link').click();
  const reply = mate.page.getByLabel('Reply');
  await reply.pressSequentially('/ship');
  const picker = mate.page.getByRole('listbox', { name: 'Saved replies' });
  await expect(picker.getByRole('option')).toHaveCount(1);
  await expect(picker.getByRole('option', { selected: true })).toContainText('Shipping');
  await mate.page.screenshot({ path: 'test-results/screens/saved-replies.png' });
  await reply.press('Enter');
  await expect(reply).toHaveValue('We ship to all of Europe within 3 days.');
  await expect(picker).toBeHidden();
  await reply.press('Enter');
  await expect(chat.getByRole('log')).toContainText('We ship to all of Europe within 3 days.', {
    timeout: 5_000,
  });

  // The picker button, arrows and Tab: the second reply.
  await mate.page.getByRole('button', { name: 'Saved replies' }).click();
  await expect(picker.getByRole('option')).toHaveCount(2);
  await reply.press('ArrowDown');
  await expect(picker.getByRole('option', { selected: true })).toContainText('Pricing');
  await reply.press('Tab');
  await expect(reply).toHaveValue('Plans start at 25 € a month.');
  // Esc closes a `/` search and keeps what was typed.
  await reply.fill('');
  await reply.pressSequentially('/nothing');
  await expect(picker).toContainText('No saved reply matches.');
  await reply.press('Escape');
  await expect(picker).toBeHidden();
  await expect(reply).toHaveValue('nothing');

  // Deleting one: gone for everyone.
  await owner.page.getByRole('link', { name: 'Settings', exact: true }).click();
  await owner.openSettings('Replies');
  await owner.page.getByRole('button', { name: 'Delete Shipping' }).click();
  await expect(mate.page.getByRole('button', { name: 'Saved replies' })).toBeVisible();
  await mate.page.getByRole('button', { name: 'Saved replies' }).click();
  await expect(picker.getByRole('option')).toHaveCount(1);
  await visitor.close();
});
