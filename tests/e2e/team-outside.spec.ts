/**
 * The team as it is used from outside: a join that starts while the relay is away, browsers
 * that contact no third party, teammates in the sidebar, a relay that dies under the stack, the
 * backup's status after an outage. Separate browser contexts: only WebRTC and the relay carry
 * anything between them.
 */
import type { BrowserContext } from '@playwright/test';
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage, newOwner, startTeam } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

test('a join started while the relay is down completes by itself once it is back', async ({
  browser,
  stack,
}) => {
  const owner = await newOwner(browser, stack.appUrl, 'Away Co');
  const link = await owner.inviteLink();
  await owner.openSettings('Diagnostics');
  await expect(owner.page.getByTestId('backup')).toHaveText(/^Version \d+/, { timeout: 15_000 });
  await owner.page.context().close();

  await stack.stopRelay();
  const mateContext = await browser.newContext();
  const page = await mateContext.newPage();
  try {
    await page.goto(link);
    await page.getByLabel('Your name').fill('Grace');
    await page.getByRole('button', { name: 'Join workspace' }).click();
    // It says what it waits for, and when it tries again.
    await expect(
      page.getByRole('status').filter({ hasText: 'Waiting for the relay' }),
    ).toContainText(/can’t be reached.*Trying again/s, { timeout: 10_000 });
    await page.screenshot({ path: 'test-results/screens/join-waiting.png' });
  } finally {
    await stack.startRelay();
  }
  // No reload: the next try gets the team's backup.
  await expect(page.getByRole('heading', { name: 'Leads', exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByText('Away Co', { exact: true })).toBeVisible();
  await mateContext.close();
});

/** Records every ICE server list a page gives WebRTC (before any script of the app runs). */
const RECORD_ICE = `window.__iceServers = [];
const Native = window.RTCPeerConnection;
window.RTCPeerConnection = function (config, ...rest) {
  window.__iceServers.push(JSON.stringify((config && config.iceServers) || []));
  return new Native(config, ...rest);
};
window.RTCPeerConnection.prototype = Native.prototype;`;

test('no page contacts a host other than the app, the relay and the demo site; WebRTC gets no ICE servers', async ({
  browser,
  stack,
}) => {
  const allowed = new Set(
    [stack.appUrl, stack.relayUrl, stack.demoUrl].map((u) => new URL(u).host),
  );
  const elsewhere: string[] = [];
  const watch = async (context: BrowserContext): Promise<void> => {
    await context.addInitScript({ content: RECORD_ICE });
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !allowed.has(url.host)) {
        elsewhere.push(request.url());
      }
    });
  };
  const ownerContext = await browser.newContext();
  const mateContext = await browser.newContext();
  await watch(ownerContext);
  await watch(mateContext);
  const owner = new AppPage(await ownerContext.newPage());
  await owner.open(stack.appUrl);
  await owner.createWorkspace('Private Co', 'Ada');
  const link = await owner.inviteLink();
  const site = await owner.demoSiteLink();
  const mate = new AppPage(await mateContext.newPage());
  await mate.join(link, 'Grace');
  // Connected over WebRTC (with no STUN server: loopback needs none).
  await owner.openSettings('Diagnostics');
  await expect(owner.page.getByTestId('peers')).toHaveText('1', { timeout: 20_000 });
  // A visitor, with the widget and its chat.
  const visitor = await visitorContext(browser);
  await watch(visitor);
  const visit = await visitor.newPage();
  await visit.goto(site);
  await visit.getByRole('button', { name: 'Open chat' }).click();
  await expect(visit.getByRole('dialog', { name: 'Chat with us' })).toBeVisible();
  await owner.openLeads();
  await expect(owner.leadRows).toHaveCount(1);

  expect(elsewhere).toEqual([]);
  for (const page of [owner.page, mate.page]) {
    const configured = await page.evaluate<string[]>('window.__iceServers');
    expect(configured.length).toBeGreaterThan(0);
    expect(new Set(configured)).toEqual(new Set(['[]']));
  }
  await visitor.close();
  await mateContext.close();
  await ownerContext.close();
});

test('the sidebar shows a teammate coming online, the lead they have open, and going offline', async ({
  browser,
  stack,
}) => {
  const owner = await newOwner(browser, stack.appUrl, 'Sidebar Co');
  const link = await owner.inviteLink();
  const site = await owner.demoSiteLink();
  await (await (await visitorContext(browser)).newPage()).goto(site);
  await expect(owner.leadRows).toHaveCount(1);
  const online = owner.page.getByRole('region', { name: 'Team online' });
  await expect(online).toContainText('No teammate online');

  const mateContext = await browser.newContext();
  const mate = new AppPage(await mateContext.newPage());
  await mate.join(link, 'Grace');
  const grace = online.getByRole('list', { name: 'Teammates online' }).getByRole('listitem');
  await expect(grace).toHaveText(/Grace/, { timeout: 20_000 });

  // Grace opens the lead: Ada sees which, and can go there.
  const leadName = (await mate.leadRows.first().getAttribute('aria-label')) ?? '';
  await mate.leadRows.first().getByRole('link').click();
  const viewing = grace.getByRole('link');
  await expect(viewing).toContainText(leadName.split(',')[0] ?? '', { timeout: 10_000 });
  await viewing.click();
  await expect(owner.page).toHaveURL(/#\/leads\/[^/]+$/);
  await owner.page.screenshot({ path: 'test-results/screens/team-online.png' });

  await mate.page.close({ runBeforeUnload: true });
  await expect(online).toContainText('No teammate online', { timeout: 10_000 });
  await mateContext.close();
  await owner.page.context().close();
});

test('the stack starts a relay that died again, and the app reconnects by itself', async ({
  browser,
  stack,
}) => {
  const owner = await newOwner(browser, stack.appUrl, 'Revive Co');
  const site = await owner.demoSiteLink();
  const status = owner.page.getByRole('navigation', { name: 'Main' }).getByRole('status');
  await expect(status).toHaveText('Receiving visitors', { timeout: 15_000 });

  const dead = stack.relay.process;
  dead.kill('SIGKILL');
  await expect.poll(() => stack.relay.process !== dead, { timeout: 20_000 }).toBe(true);
  await expect
    .poll(async () => (await fetch(`${stack.relayUrl}/health`).catch(() => null))?.status, {
      timeout: 20_000,
    })
    .toBe(200);
  await expect(status).toHaveText('Receiving visitors', { timeout: 30_000 });
  await (await (await visitorContext(browser)).newPage()).goto(site);
  await expect(owner.leadRows).toHaveCount(1, { timeout: 15_000 });
  await owner.page.context().close();
});

test('after an outage the backup status names the failure and the last success, and what the relay holds', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  await mate.page.context().close();
  await owner.openSettings('Diagnostics');
  const success = owner.page.getByTestId('backup');
  await expect(success).toHaveText(/^Version \d+, stored/, { timeout: 15_000 });
  await expect(owner.page.getByTestId('backup-relay')).toContainText(/Version \d+ \(/);
  const before = (await success.textContent()) ?? '';

  await stack.stopRelay();
  try {
    // A change to the team: the next backup fails while the relay is away.
    await owner.openSettings('Team');
    await owner.page.getByLabel('Your name').fill('Ada L.');
    await owner.page.getByRole('button', { name: 'Save name' }).click();
    await owner.openSettings('Diagnostics');
    await expect(owner.page.getByTestId('backup-failure')).toContainText('can’t be reached', {
      timeout: 20_000,
    });
    await expect(success).toHaveText(before.trim());
  } finally {
    await stack.startRelay();
  }
  // The next try stores it; reopened, the app still knows its last success and asks the relay.
  await expect(success).not.toHaveText(before.trim(), { timeout: 45_000 });
  await owner.page.reload();
  await owner.openSettings('Diagnostics');
  await expect(success).toHaveText(/^Version \d+, stored/);
  await expect(owner.page.getByTestId('backup-relay')).toContainText(/Version \d+ \(/);
  await owner.page.context().close();
});

test('changing a role or the retention says it was saved; the empty list offers inviting teammates', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const empty = owner.page.getByRole('main');
  await expect(empty).toContainText('No leads yet');
  await empty.getByRole('link', { name: 'Invite your teammates' }).click();
  await expect(owner.page.getByLabel('Invite link')).toBeVisible();

  await owner.page.getByRole('combobox', { name: 'Role of Grace' }).selectOption('admin');
  await expect(owner.page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText(
    'Saved — Grace is now an admin',
  );
  await owner.openSettings('Visitors');
  await owner.page.getByRole('combobox', { name: 'Retention' }).selectOption('14');
  await expect(owner.page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText(
    'Saved — never-engaged visitors are removed after 14 days',
  );
  await mate.page.context().close();
  await owner.page.context().close();
});
