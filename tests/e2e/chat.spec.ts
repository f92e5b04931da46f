/**
 * The chat end to end: the widget on the demo site (another origin), a visitor who gives their
 * name and writes, two teammates in their own browsers, replies sealed into the visitor's
 * mailbox on the relay — live, and on the visitor's next visit.
 */
import type { Browser } from '@playwright/test';
import type { Stack } from '../../scripts/stack.ts';
import { test, expect, visitorContext } from './fixtures.ts';
import { AppPage, startTeam } from './pages/app-page.ts';

test.describe.configure({ mode: 'serial' });

/** Ada's workspace in her browser, its demo-site link, and a visitor's page (not yet there). */
async function ownerAndVisitor(browser: Browser, stack: Stack, workspace: string) {
  const agent = await browser.newContext();
  const owner = new AppPage(await agent.newPage());
  await owner.open(stack.appUrl);
  await owner.createWorkspace(workspace, 'Ada');
  const link = await owner.demoSiteLink();
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  return { agent, owner, link, visitor, site };
}

const inboxRows = (app: AppPage) =>
  app.page.getByRole('list', { name: 'Conversation list' }).getByRole('listitem');

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
    // Each member hears of it once, and finds it unread in the Inbox with its preview.
    await expect(app.page.getByRole('region', { name: 'New messages' })).toContainText(
      'Ada Lovelace wrote',
    );
    await app.page.getByRole('link', { name: 'Inbox', exact: true }).click();
    const conversation = inboxRows(app).first();
    await expect(conversation.getByLabel('1 unread message')).toBeVisible();
    await expect(app.page).toHaveTitle('(1) Converge Leads');
    await expect(conversation.getByTitle('Latest message')).toHaveText(
      'Hello, do you ship to Berlin?',
    );
  }
  await owner.page.screenshot({ path: 'test-results/screens/inbox.png' });
  for (const app of [owner, mate]) {
    await inboxRows(app).first().getByRole('link').click();
    await expect(
      app.page.getByRole('listitem', { name: 'Message from Ada Lovelace' }),
    ).toContainText('Hello, do you ship to Berlin?');
  }

  // Opening it marked it read, for each member on their own.
  await expect(inboxRows(owner).first().getByLabel('1 unread message')).toHaveCount(0);
  await expect(owner.page).toHaveTitle('Converge Leads');

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

  // Ada blocks the visitor: what they write next is dropped for every teammate, and counted.
  await owner.leadRows.first().getByRole('link').click();
  await owner.page.getByRole('button', { name: 'Block visitor' }).click();
  await expect(mate.page.getByRole('button', { name: 'Unblock visitor' })).toBeVisible();
  const composer2 = back.getByRole('textbox', { name: 'Message' });
  await composer2.fill('Buy cheap pills');
  await composer2.press('Enter');
  await expect(back.getByRole('log').getByRole('listitem').last()).toContainText('Sent');
  for (const app of [owner, mate]) {
    await expect(app.page.getByText('their messages are dropped (1 so far)')).toBeVisible({
      timeout: 10_000,
    });
    await expect(app.page.getByRole('list', { name: 'Conversation and visits' })).not.toContainText(
      'Buy cheap pills',
    );
  }
  // Diagnostics counts them, all blocked visitors together.
  await mate.openSettings('Diagnostics');
  await expect(mate.page.getByTestId('blocked-messages')).toHaveText('1');

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
  const { workspace } = JSON.parse(
    Buffer.from(link.split('converge-install=')[1] ?? '', 'base64url').toString(),
  ) as { workspace: string };
  const online = async (): Promise<unknown> => {
    const res = await fetch(`${stack.relayUrl}/v1/workspaces/${workspace}/status`);
    return ((await res.json()) as { online?: boolean }).online;
  };
  // The app has registered the workspace and follows its log…
  await expect.poll(online, { timeout: 15_000 }).toBe(true);
  // …then the team goes home: no app is open, and the relay has seen the last one go.
  await first.close();
  await expect.poll(online, { timeout: 15_000 }).toBe(false);

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

/** The workspace this app page's browser holds: id, team secret, relay, intake key. */
const WORKSPACE = `new Promise((resolve, reject) => {
  const req = indexedDB.open('converge');
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const all = req.result.transaction('workspaces').objectStore('workspaces').getAll();
    all.onsuccess = () => {
      const w = all.result[0];
      resolve({ id: w.id, teamSecret: w.teamSecret, relayUrl: w.relayUrl, intakePublicKey: w.intakePublicKey });
    };
  };
})`;

/** The visitor's mailbox capability and public chat key, from the site's storage. */
const VISITOR_KEYS = (workspace: string): string => `new Promise((resolve, reject) => {
  const saved = JSON.parse(localStorage.getItem(${JSON.stringify(`converge:${workspace}:chat`)}));
  const req = indexedDB.open('converge-chat');
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const get = req.result.transaction('keys').objectStore('keys').get(${JSON.stringify(workspace)});
    get.onsuccess = async () => {
      const raw = new Uint8Array(await crypto.subtle.exportKey('raw', get.result.publicKey));
      let text = '';
      for (const b of raw) text += String.fromCharCode(b);
      resolve({ capability: saved.capability, key: btoa(text).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '') });
    };
  };
})`;

test('replies nobody on the team sealed never show, and the visitor flow works by keyboard on a hostile page and a phone', async ({
  browser,
  stack,
}) => {
  const agent = await browser.newContext();
  const owner = new AppPage(await agent.newPage());
  await owner.open(stack.appUrl);
  await owner.createWorkspace('Keys', 'Ada');
  const link = await owner.demoSiteLink();

  // A phone, and a page whose CSS would break any widget that took it.
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.setViewportSize({ width: 375, height: 740 });
  await site.addInitScript({
    content: `new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__shift = (window.__shift || 0) + e.value;
    }).observe({ type: 'layout-shift', buffered: true });`,
  });
  await site.goto(link);
  await site.addStyleTag({
    content: '* { all: unset !important } button { display: none !important }',
  });
  const launcher = site.getByRole('button', { name: 'Open chat' });
  await expect(launcher).toBeVisible();
  expect(await site.evaluate('window.__shift || 0')).toBe(0);

  // Keyboard only: focus the launcher, open, name, write, close.
  await launcher.focus();
  await site.keyboard.press('Enter');
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await expect(chat.getByLabel('Your name')).toBeFocused();
  await site.keyboard.type('Kim');
  await site.keyboard.press('Enter');
  await expect(chat.getByRole('textbox', { name: 'Message' })).toBeFocused();
  await site.keyboard.type('Line one');
  await site.keyboard.press('Shift+Enter');
  await site.keyboard.type('line two');
  await site.keyboard.press('Enter');
  const log = chat.getByRole('log');
  await expect(log.getByRole('listitem').last()).toContainText('Line one\nline two');
  // Full screen on a narrow phone.
  const box = await chat.boundingBox();
  expect(box?.width).toBe(375);
  await site.screenshot({ path: 'test-results/screens/widget-phone.png' });

  const row = owner.leadRows.first();
  await expect(row).toHaveAttribute('aria-label', 'Kim', { timeout: 10_000 });

  // Someone with the read token but not the team's key (the relay, a removed member) writes
  // into the visitor's mailbox: sealed by another key, or not a box at all.
  const ws = await owner.page.evaluate<{
    id: string;
    teamSecret: string;
    relayUrl: string;
    intakePublicKey: string;
  }>(WORKSPACE);
  const mine = await site.evaluate<{ capability: string; key: string }>(VISITOR_KEYS(ws.id));
  const { mailboxOf, sealToVisitor, teamSenderKeys } = await import('../../src/core/chat-seal.ts');
  const { generateIntakeKeyPair } = await import('../../src/core/seal.ts');
  const { readToken } = await import('../../src/core/team-keys.ts');
  const mailbox = await mailboxOf(mine.capability);
  const forger = await generateIntakeKeyPair();
  const forgedText = JSON.stringify({
    kind: 'reply',
    id: 'forged_reply_00000001',
    at: Date.now(),
    text: 'Pay here: http://evil.example',
    author: 'Ada',
  });
  const forged = await sealToVisitor(
    await teamSenderKeys(forger.privateKey, forger.publicKey),
    ws.intakePublicKey,
    mine.key,
    forgedText,
    `${ws.id}/${mailbox}`,
  );
  const token = await readToken(ws.teamSecret);
  for (const [id, sealed] of [
    ['forged_reply_00000001', forged],
    ['garbage_reply_0000001', `h1.${'A'.repeat(87)}.${'B'.repeat(87)}.${'C'.repeat(40)}`],
  ]) {
    const res = await fetch(`${ws.relayUrl}/v1/workspaces/${ws.id}/mailboxes/${mailbox}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, sealed }),
    });
    expect(res.status).toBe(200);
  }
  // Then a real reply: it shows; the forged ones never do.
  await row.getByRole('link').click();
  await owner.page.getByLabel('Reply').fill('The real answer');
  await owner.page.getByLabel('Reply').press('Enter');
  await expect(log).toContainText('The real answer', { timeout: 5_000 });
  await expect(log).not.toContainText('Pay here');
  await expect(log.getByRole('listitem')).toHaveCount(3); // greeting, message, reply

  await site.keyboard.press('Escape');
  await expect(chat).toBeHidden();
  await expect(launcher).toBeFocused();
  await visitor.close();
  await agent.close();
});

test('a site drives the chat from its own script: calls queued before the widget loads, a reply event', async ({
  browser,
  stack,
}) => {
  const { agent, owner, link, visitor, site } = await ownerAndVisitor(browser, stack, 'Api');
  // The site's stub and its calls, before the widget has loaded.
  await site.addInitScript({
    content: `window.__replies = [];
      window.ConvergeLeads = window.ConvergeLeads || function () {
        (window.ConvergeLeads.q = window.ConvergeLeads.q || []).push(arguments);
      };
      ConvergeLeads('identify', { name: 'Lin from the CRM' });
      ConvergeLeads('on', 'reply', function (reply) { window.__replies.push(reply.text); });
      ConvergeLeads('open');`,
  });
  await site.goto(link);
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await expect(chat).toBeVisible();
  // Named by the site: straight to the composer.
  await expect(chat.getByLabel('Your name')).toBeHidden();
  await chat.getByRole('textbox', { name: 'Message' }).fill('Hi from the API');
  await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
  const row = owner.leadRows.first();
  await expect(row).toHaveAttribute('aria-label', 'Lin from the CRM', { timeout: 10_000 });
  await row.getByRole('link').click();
  await owner.page.getByLabel('Reply').fill('Hello Lin');
  await owner.page.getByLabel('Reply').press('Enter');
  await expect.poll(() => site.evaluate('window.__replies')).toEqual(['Hello Lin']);
  await site.evaluate("ConvergeLeads('close')");
  await expect(chat).toBeHidden();
  await visitor.close();
  await agent.close();
});

/** Markup and script that would run if any text were ever treated as HTML. */
const XSS = [
  '<img src=x onerror="window.__pwned=1">',
  '<svg onload="window.__pwned=2"></svg>',
  '"><script>window.__pwned=3</script>',
  'javascript:window.__pwned=4',
  '<a href="javascript:window.__pwned=5">click</a>',
  '{{constructor.constructor("window.__pwned=6")()}}',
  '<iframe srcdoc="<script>parent.__pwned=7</script>"></iframe>',
];

test('names and messages, either way, render as text: nothing a visitor or a teammate writes runs', async ({
  browser,
  stack,
}) => {
  const agent = await browser.newContext();
  const owner = new AppPage(await agent.newPage());
  const dialogs: string[] = [];
  owner.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await owner.open(stack.appUrl);
  await owner.createWorkspace('Xss', 'Ada');
  const link = await owner.demoSiteLink();
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  site.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await site.goto(link);
  await site.getByRole('button', { name: 'Open chat' }).click();
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  const name = XSS[0] ?? '';
  await chat.getByLabel('Your name').fill(name);
  await chat.getByLabel('Your name').press('Enter');
  const box = chat.getByRole('textbox', { name: 'Message' });
  for (const payload of XSS) {
    await box.fill(payload);
    await box.press('Enter');
  }
  const row = owner.leadRows.first();
  await expect(row).toHaveAttribute('aria-label', name, { timeout: 10_000 });
  await row.getByRole('link').click();
  const thread = owner.page.getByRole('list', { name: 'Conversation and visits' });
  for (const payload of XSS) await expect(thread).toContainText(payload);
  // Teammates' text is the visitor's to see, as text too; only http(s) links become links.
  for (const payload of [...XSS, 'see https://example.com/ok']) {
    await owner.page.getByLabel('Reply').fill(payload);
    await owner.page.getByLabel('Reply').press('Enter');
  }
  const log = chat.getByRole('log');
  await expect(log).toContainText('see https://example.com/ok', { timeout: 10_000 });
  for (const payload of XSS) await expect(log).toContainText(payload);
  const links = await site.evaluate(
    `[...document.querySelector('converge-leads').shadowRoot.querySelectorAll('a')].map((a) => [a.href, a.rel, a.target])`,
  );
  expect(links).toEqual([['https://example.com/ok', 'noopener noreferrer', '_blank']]);

  await owner.page.waitForTimeout(300);
  for (const page of [owner.page, site]) {
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('img[src="x"], svg[onload], iframe[srcdoc]').count()).toBe(0);
    expect(
      await page.evaluate(
        `document.querySelector('converge-leads')?.shadowRoot?.querySelectorAll('img, svg[onload], iframe, script').length ?? 0`,
      ),
    ).toBe(0);
  }
  expect(dialogs).toEqual([]);
  await visitor.close();
  await agent.close();
});

test('a message the relay cannot take yet says so, and goes once it can', async ({
  browser,
  stack,
}) => {
  const { agent, owner, link, visitor, site } = await ownerAndVisitor(browser, stack, 'Retry');
  await site.goto(link);
  await site.getByRole('button', { name: 'Open chat' }).click();
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await chat.getByLabel('Your name').fill('Noor');
  await chat.getByLabel('Your name').press('Enter');
  await expect(owner.leadRows.first()).toHaveAttribute('aria-label', 'Noor', { timeout: 10_000 });

  // The relay goes away for a moment.
  await site.route('**/v1/intake/**', (route) => route.abort());
  const box = chat.getByRole('textbox', { name: 'Message' });
  await box.fill('Are you there?');
  await box.press('Enter');
  const mine = chat.getByRole('log').getByRole('listitem').last();
  await expect(mine).toContainText('Not sent yet — retrying…');
  await site.unroute('**/v1/intake/**');
  await expect(mine).toContainText('Sent', { timeout: 15_000 });
  await owner.leadRows.first().getByRole('link').click();
  await expect(owner.page.getByRole('listitem', { name: 'Message from Noor' })).toContainText(
    'Are you there?',
  );
  await visitor.close();
  await agent.close();
});

test('a visitor’s tabs share one conversation: one follows the relay, every tab shows every line', async ({
  browser,
  stack,
}) => {
  const { agent, owner, link, visitor, site } = await ownerAndVisitor(browser, stack, 'Tabs');
  const following: string[] = [];
  const track = (page: typeof site, name: string): void => {
    page.on('websocket', (ws) => {
      if (ws.url().includes('/v1/live')) following.push(name);
    });
  };
  track(site, 'first');
  await site.goto(link);
  await site.getByRole('button', { name: 'Open chat' }).click();
  const chatA = site.getByRole('dialog', { name: 'Chat with us' });
  await chatA.getByLabel('Your name').fill('Tabitha');
  await chatA.getByLabel('Your name').press('Enter');
  await chatA.getByRole('textbox', { name: 'Message' }).fill('From the first tab');
  await chatA.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(chatA.getByRole('log').getByRole('listitem').last()).toContainText('Sent');

  // A second tab of the same site: the same conversation, and what it writes shows in the first.
  const second = await visitor.newPage();
  track(second, 'second');
  await second.goto(link);
  await second.getByRole('button', { name: 'Open chat' }).click();
  const chatB = second.getByRole('dialog', { name: 'Chat with us' });
  await expect(chatB.getByRole('log')).toContainText('From the first tab');
  await chatB.getByRole('textbox', { name: 'Message' }).fill('And from the second');
  await chatB.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(chatA.getByRole('log')).toContainText('And from the second');

  // A reply reaches both, through the one tab that follows the mailbox.
  await owner.openLeads();
  await owner.leadRows.first().getByRole('link').click();
  await expect(owner.page.getByRole('listitem', { name: 'Message from Tabitha' })).toHaveCount(2, {
    timeout: 10_000,
  });
  await owner.page.getByLabel('Reply').fill('Hello to both tabs');
  await owner.page.getByLabel('Reply').press('Enter');
  for (const chat of [chatA, chatB]) {
    await expect(chat.getByRole('log')).toContainText('Hello to both tabs', { timeout: 5_000 });
  }
  expect(following.filter((name) => name === 'second')).toEqual([]);
  expect(following).toContain('first');

  // The first tab closes: the second takes over and still hears the team.
  await site.close();
  await owner.page.getByLabel('Reply').fill('Still there?');
  await owner.page.getByLabel('Reply').press('Enter');
  await expect(chatB.getByRole('log')).toContainText('Still there?', { timeout: 10_000 });
  expect(following).toContain('second');
  // Nothing was written over: after the greeting, all four lines are kept.
  await second.reload();
  await second.getByRole('button', { name: 'Open chat' }).click();
  await expect(
    second.getByRole('dialog', { name: 'Chat with us' }).getByRole('log').getByRole('listitem'),
  ).toHaveCount(5);
  await visitor.close();
  await agent.close();
});

test('a reply written while the relay is down, in a tab closed before it came back, still reaches the visitor', async ({
  browser,
  stack,
}) => {
  const { agent, owner, link, visitor, site } = await ownerAndVisitor(browser, stack, 'Later');
  await site.goto(link);
  await site.getByRole('button', { name: 'Open chat' }).click();
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await chat.getByLabel('Your name').fill('Rosa');
  await chat.getByLabel('Your name').press('Enter');
  await chat.getByRole('textbox', { name: 'Message' }).fill('Are you there?');
  await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
  await owner.openLeads();
  await owner.leadRows.first().getByRole('link').click();
  await expect(owner.page.getByRole('listitem', { name: 'Message from Rosa' })).toBeVisible({
    timeout: 10_000,
  });
  await site.close();

  // The relay is down; Ada writes, sees her message in the conversation, and closes the tab.
  await stack.stopRelay();
  await owner.page.getByLabel('Reply').fill('Sorry for the wait, Rosa!');
  await owner.page.getByLabel('Reply').press('Enter');
  await expect(owner.page.getByRole('listitem', { name: 'Message from Ada' })).toBeVisible();
  await owner.page.close();
  // Long enough that nothing of the closed tab is left retrying.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  await stack.startRelay();

  // Her next tab leads, and delivers what the closed one could not.
  const later = new AppPage(await agent.newPage());
  await later.open(stack.appUrl);
  await later.openLeads();
  const back = await visitor.newPage();
  await back.goto(link);
  const badge = back.getByRole('button', { name: 'Open chat, 1 unread message' });
  await expect(badge).toBeVisible({ timeout: 15_000 });
  await badge.click();
  await expect(back.getByRole('dialog', { name: 'Chat with us' }).getByRole('log')).toContainText(
    'Sorry for the wait, Rosa!',
  );
  await visitor.close();
  await agent.close();
});

test('the Inbox shows my conversations, unassigned ones, or all', async ({ browser, stack }) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const link = await owner.demoSiteLink();
  // Two visitors, each in their own browser.
  for (const name of ['Ines', 'Omar']) {
    const visitor = await visitorContext(browser);
    const site = await visitor.newPage();
    await site.goto(link);
    await site.getByRole('button', { name: 'Open chat' }).click();
    const chat = site.getByRole('dialog', { name: 'Chat with us' });
    await chat.getByLabel('Your name').fill(name);
    await chat.getByLabel('Your name').press('Enter');
    await chat.getByRole('textbox', { name: 'Message' }).fill(`Hello from ${name}`);
    await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect(chat.getByRole('log').getByRole('listitem').last()).toContainText('Sent');
    await visitor.close();
  }
  // Ada takes Omar.
  await owner.page.getByRole('link', { name: 'Inbox', exact: true }).click();
  await expect(inboxRows(owner)).toHaveCount(2, { timeout: 10_000 });
  await inboxRows(owner).filter({ hasText: 'Omar' }).getByRole('link').click();
  await owner.page.getByRole('button', { name: 'Assign to me' }).click();

  const tabs = (app: AppPage) => app.page.getByRole('group', { name: 'Show conversations' });
  await tabs(owner).getByRole('button', { name: /^Mine/ }).click();
  await expect(inboxRows(owner)).toHaveCount(1);
  await expect(inboxRows(owner).first()).toContainText('Omar');
  await tabs(owner)
    .getByRole('button', { name: /^Unassigned/ })
    .click();
  await expect(inboxRows(owner)).toHaveCount(1);
  await expect(inboxRows(owner).first()).toContainText('Ines');
  // Grace's own view: nothing is hers.
  await mate.page.getByRole('link', { name: 'Inbox', exact: true }).click();
  await tabs(mate).getByRole('button', { name: /^Mine/ }).click();
  await expect(tabs(mate).getByRole('button', { name: /^Mine/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(inboxRows(mate)).toHaveCount(0);
  await tabs(mate).getByRole('button', { name: /^All/ }).click();
  await expect(inboxRows(mate)).toHaveCount(2);
});

test('two teammates replying at once: both messages land, in one order for everyone', async ({
  browser,
  stack,
}) => {
  const { owner, mate } = await startTeam(browser, stack.appUrl);
  const link = await owner.demoSiteLink();
  const visitor = await visitorContext(browser);
  const site = await visitor.newPage();
  await site.goto(link);
  await site.getByRole('button', { name: 'Open chat' }).click();
  const chat = site.getByRole('dialog', { name: 'Chat with us' });
  await chat.getByLabel('Your name').fill('Noor');
  await chat.getByLabel('Your name').press('Enter');
  await chat.getByRole('textbox', { name: 'Message' }).fill('Anyone?');
  await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
  for (const app of [owner, mate]) {
    await app.openLeads();
    await app.leadRows.first().getByRole('link').click();
    await expect(app.page.getByRole('listitem', { name: 'Message from Noor' })).toBeVisible({
      timeout: 10_000,
    });
    await app.page.getByLabel('Reply').fill(`${app === owner ? 'Ada' : 'Grace'} here!`);
  }
  await Promise.all([owner, mate].map((app) => app.page.getByLabel('Reply').press('Enter')));

  const order = async (app: AppPage) => {
    const thread = app.page.getByRole('list', { name: 'Conversation and visits' });
    await expect(thread.getByRole('listitem', { name: /^Message from (Ada|Grace)$/ })).toHaveCount(
      2,
      { timeout: 10_000 },
    );
    return thread.getByRole('listitem', { name: /^Message from / }).allInnerTexts();
  };
  const [seenByAda, seenByGrace] = [await order(owner), await order(mate)];
  expect(seenByAda).toEqual(seenByGrace);
  expect(seenByAda.join('\n')).toContain('Ada here!');
  expect(seenByAda.join('\n')).toContain('Grace here!');
  await expect(chat.getByRole('log')).toContainText('Ada here!', { timeout: 5_000 });
  await expect(chat.getByRole('log')).toContainText('Grace here!');
  await visitor.close();
});
