/**
 * Widget settings, end to end: an admin changes how the widget looks and when the team
 * answers, with a live preview; the widget on the demo site (another origin) follows once it
 * has verified the signed chain — and a config the relay forges, or an agent signs, is ignored.
 */
import type { Page } from '@playwright/test';
import { test, expect, visitorContext } from './fixtures.ts';
import { startTeam } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The launcher's colour and which half of the viewport it sits in. */
async function launcherLook(site: Page) {
  const launcher = site.getByRole('button', { name: 'Open chat' });
  await expect(launcher).toBeVisible();
  const box = await launcher.boundingBox();
  const colour = await launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
  return { colour, side: box && box.x < 640 ? 'left' : 'right' };
}

/** The workspace id in the demo link's install fragment. */
function workspaceOf(link: string): string {
  const fragment = new URL(link).hash.replace('#converge-install=', '');
  return (JSON.parse(Buffer.from(fragment, 'base64url').toString('utf8')) as { workspace: string })
    .workspace;
}

test('an admin’s widget settings reach the widget, verified; forged ones are ignored', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const link = await owner.demoSiteLink();
  const workspace = workspaceOf(link);

  // Before any change, a visitor sees the defaults.
  const first = await visitorContext(browser);
  const before = await first.newPage();
  await before.goto(link);
  expect(await launcherLook(before)).toEqual({ colour: 'rgb(79, 70, 229)', side: 'right' });
  await first.close();

  // The admin's form, with its live preview.
  await owner.openSettings('Widget');
  const page = owner.page;
  const preview = page.getByRole('figure', { name: 'Widget preview' });
  await page.getByLabel('Colour').fill('#16a34a');
  await page.getByLabel('Position').selectOption('left');
  await page.getByLabel('Greeting').fill('Hello from Acme!');
  await expect(preview.getByTestId('preview-greeting')).toHaveText('Hello from Acme!');
  await expect(preview.getByTestId('preview-launcher')).toHaveCSS(
    'background-color',
    'rgb(22, 163, 74)',
  );
  await page.getByLabel('Ask for the name').selectOption('after');
  await page.getByLabel('Away text / auto-reply').fill('Back soon, Acme.');
  // Hours that exclude today (UTC): the team is away now, whoever is online.
  await page.getByLabel('Answer only during business hours').check();
  const today = DAYS[new Date().getUTCDay()] ?? 'Sun';
  const days = page.getByRole('group', { name: 'Open days' });
  for (const day of DAYS) {
    await days.getByLabel(day, { exact: true }).setChecked(day !== today);
  }
  await page.getByLabel('Timezone').selectOption('UTC');
  await expect(preview.getByTestId('preview-status')).toContainText('back at');
  await page.screenshot({ path: 'test-results/screens/widget-settings.png', fullPage: true });
  await page.getByRole('button', { name: 'Save widget settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  // The teammate sees it (read-only), and the leader publishes it for the widget.
  await mate.openSettings('Widget');
  await expect(mate.page.getByTestId('widget-config')).toContainText('Hello from Acme!');
  await expect
    .poll(async () => (await fetch(`${stack.relayUrl}/v1/workspaces/${workspace}/widget`)).status, {
      timeout: 10_000,
    })
    .toBe(200);
  const published: unknown = await (
    await fetch(`${stack.relayUrl}/v1/workspaces/${workspace}/widget`)
  ).json();

  // A new visitor: the launcher is green on the left, the panel greets as set and is away.
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(link);
  expect(await launcherLook(site)).toEqual({ colour: 'rgb(22, 163, 74)', side: 'left' });
  await site.getByRole('button', { name: 'Open chat' }).click();
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await expect(chat).toContainText('Hello from Acme!');
  await expect(chat).toContainText("We're away right now — back at");
  // The panel opens on the left too, its close button still in its top right corner.
  const panel = await chat.boundingBox();
  const close = await chat.getByRole('button', { name: 'Close chat' }).boundingBox();
  expect(panel && panel.x < 640).toBe(true);
  expect(panel && close && close.x > panel.x + panel.width / 2).toBe(true);
  // The name is asked after the first message: the composer comes first.
  const composer = chat.getByRole('textbox', { name: 'Message' });
  await expect(composer).toBeFocused();
  await expect(chat.getByLabel('Your name')).toBeHidden();
  await composer.fill('Do you ship to Oslo?');
  await composer.press('Enter');
  const lines = chat.getByRole('log').getByRole('listitem');
  await expect(lines.last()).toContainText('Back soon, Acme.');
  await expect(lines.last()).toContainText('Automatic reply');
  await expect(chat.getByLabel('Your name')).toBeVisible();
  await expect(composer).toBeVisible();
  await site.screenshot({ path: 'test-results/screens/widget-settings-applied.png' });

  // The team's conversation records the configured auto-reply.
  await owner.openLeads();
  await owner.leadRows.first().getByRole('link').click();
  await expect(owner.page.getByRole('listitem', { name: 'Message from Auto-reply' })).toContainText(
    'Back soon, Acme.',
    { timeout: 10_000 },
  );

  // The relay serves a chain whose signed text it edited, then one from a stranger's key:
  // new visitors get the defaults.
  const chain = published as { entries: [string, { by: string; claim: string; sig: string }][] };
  const edited = {
    entries: chain.entries.map(([id, e]) => [
      id,
      { ...e, claim: e.claim.replace('#16a34a', '#ff0000') },
    ]),
  };
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
  ]);
  const stranger = {
    entries: chain.entries.map(([id, e]) => [id, { ...e, by: 'mallory' }]),
    key: await crypto.subtle.exportKey('jwk', pair.publicKey),
  };
  for (const forged of [edited, stranger]) {
    const fresh = await visitorContext(browser);
    await fresh.route('**/v1/workspaces/*/widget', (route) => route.fulfill({ json: forged }));
    const forgedSite = await fresh.newPage();
    await forgedSite.goto(link);
    expect(await launcherLook(forgedSite)).toEqual({ colour: 'rgb(79, 70, 229)', side: 'right' });
    await forgedSite.getByRole('button', { name: 'Open chat' }).click();
    await expect(forgedSite.getByRole('dialog', { name: 'Chat with us' })).toContainText(
      'Hi! Questions about us? We reply in minutes.',
    );
    await fresh.close();
  }
  await visitor.close();
});

test('a launcher switched off draws no bubble, and the site opens the chat itself', async ({
  browser,
  stack,
}) => {
  const { owner } = await startTeam(browser, stack.appUrl);
  const link = await owner.demoSiteLink();
  await owner.openSettings('Widget');
  await owner.page.getByLabel('Show the launcher bubble').uncheck();
  await expect(owner.page.getByText('No launcher: the site opens the chat itself.')).toBeVisible();
  await owner.page.getByRole('button', { name: 'Save widget settings' }).click();
  const workspace = workspaceOf(link);
  await expect
    .poll(async () => (await fetch(`${stack.relayUrl}/v1/workspaces/${workspace}/widget`)).status, {
      timeout: 10_000,
    })
    .toBe(200);
  const visitor = await visitorContext(browser);
  // The site's page defines the documented queue stub before the widget loads.
  await visitor.addInitScript(() => {
    const w = window as unknown as {
      ConvergeLeads: ((...args: unknown[]) => void) & { q?: unknown[] };
    };
    w.ConvergeLeads = (...args: unknown[]) => {
      (w.ConvergeLeads.q ??= []).push(args);
    };
  });
  const site = await visitor.newPage();
  await site.goto(link);
  await expect(site.locator('converge-leads')).toBeAttached();
  await expect(site.getByRole('button', { name: 'Open chat' })).toBeHidden();
  // The site's own "Chat with us" button.
  await site.evaluate(() => {
    (window as unknown as { ConvergeLeads: (name: string) => void }).ConvergeLeads('open');
  });
  await expect(site.getByRole('dialog', { name: 'Chat with us' })).toBeVisible();
  await visitor.close();
});
