/**
 * Removing a member for good (SPEC §9, §10): Ada removes Bob from a team of three. Measured from
 * the click on "Remove for good" to the team working again — Ada's and Grace's apps reopened on
 * the new team secret: a visit made after the click listed in Grace's browser, and Bob told he
 * was removed. Separate contexts, so only the relay and WebRTC carry anything between them.
 */
import { chromium, type Page } from 'playwright';
import { startStack } from '../../scripts/stack.ts';
import { LAUNCH, waitForCount } from './shared.ts';

const VISITOR_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

async function join(page: Page, link: string, name: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join workspace' }).click();
  await page.getByRole('heading', { name: 'Leads', exact: true }).waitFor({ timeout: 30_000 });
}

export async function benchRemoval(): Promise<Record<string, number>> {
  const stack = await startStack();
  const browser = await chromium.launch(LAUNCH);
  try {
    const ada = await (await browser.newContext()).newPage();
    await ada.goto(stack.appUrl);
    await ada.getByLabel('Workspace name').fill('Bench');
    await ada.getByLabel('Your name').fill('Ada');
    await ada.getByRole('button', { name: 'Create workspace' }).click();
    await ada.getByRole('link', { name: 'Settings', exact: true }).click();
    await ada.getByRole('link', { name: 'Team', exact: true }).click();
    const link = await ada.getByLabel('Invite link').inputValue();
    await ada.getByRole('link', { name: 'Widget', exact: true }).click();
    const site = await ada.getByRole('link', { name: 'Open demo site' }).getAttribute('href');
    if (!site) throw new Error('no demo site');
    const grace = await (await browser.newContext()).newPage();
    await join(grace, link, 'Grace');
    const bob = await (await browser.newContext()).newPage();
    await join(bob, link, 'Bob');
    const visit = async (): Promise<void> => {
      const visitor = await browser.newContext({ userAgent: VISITOR_UA });
      await visitor.addInitScript({
        content: "Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });",
      });
      await (await visitor.newPage()).goto(site);
    };
    await visit();
    for (const page of [grace, bob]) {
      await page.locator('[aria-label="Lead list"] > li').first().waitFor({ timeout: 30_000 });
    }

    await ada.getByRole('link', { name: 'Team', exact: true }).click();
    await ada
      .getByRole('list', { name: 'Members' })
      .getByRole('listitem', { name: 'Bob' })
      .waitFor();
    await ada.getByRole('button', { name: 'Remove Bob' }).click();
    const started = Date.now();
    await ada.getByRole('button', { name: 'Remove for good' }).click();
    await ada.getByRole('status').filter({ hasText: 'Bob was removed' }).waitFor();
    const relayTookMs = Date.now() - started;
    await visit();
    await grace.getByRole('link', { name: 'Leads', exact: true }).click();
    await waitForCount(grace, 2, 60_000);
    const workingMs = Date.now() - started;
    await bob.getByText('You were removed from this workspace').waitFor({ timeout: 60_000 });
    const toldMs = Date.now() - started;
    return {
      'removal.relayTookMs': relayTookMs,
      'removal.teamWorkingMs': workingMs,
      'removal.removedToldMs': toldMs,
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}
