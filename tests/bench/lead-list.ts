/**
 * Working a 100,000-lead workspace (SPEC §13): first list paint after a reload (≤ 1.5 s), a
 * filter change to rendered rows (≤ 100 ms), rows in the page while scrolling (≤ ~60), and the
 * longest main-thread task while scrolling and while a burst of 1,000 visits arrives (≤ 50 ms),
 * and new scoring rules re-scoring all 100,000 leads (≤ 500 ms): from saving the rules to the
 * list showing the new scores.
 *
 * The workspace is built the way an owner's app leaves it (a third of the leads assigned, a
 * fifth tagged "vip", a seventh "enterprise"), joined, and its list built once; the clock runs
 * from the reload. Long tasks are the browser's own Long Tasks API (tasks of 50 ms and more);
 * "none" is reported as 0. The burst comes from many simulated visitors at once, so the relay's
 * per-address rate limit is raised for this run.
 */
import { chromium, type Page } from 'playwright';
import * as Y from 'yjs';
import { publicKeyOf, record } from '../../src/core/ledger.ts';
import { startStack } from '../../scripts/stack.ts';
import { randomId } from '../../src/core/bytes.ts';
import { seal } from '../../src/core/seal.ts';
import { buildWorkspace } from '../e2e/workspace-builder.ts';
import { pageView } from '../page-view.ts';

const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};

/** Page scripts are source text: tsx would wrap named helpers in one pages lack. */
const OBSERVE = `(() => {
  window.longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.longTasks.push({ at: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.firstRowAt = undefined;
  new MutationObserver(() => {
    if (window.firstRowAt === undefined && document.querySelector('[aria-label="Lead list"] > li')) {
      window.firstRowAt = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
})()`;

const longestSince = (since: number): string =>
  `Math.max(0, ...window.longTasks.filter((t) => t.at >= ${since}).map((t) => t.ms))`;

/** Clicks a filter option and waits for the list's first row to change: ms between. */
const FILTER_CHANGE = (name: string): string => `new Promise((resolve) => {
  const list = document.querySelector('[aria-label="Lead list"]');
  const firstRow = () => list?.querySelector('li')?.getAttribute('aria-label') + '|' + document.querySelector('header [aria-label$=" leads"]')?.getAttribute('aria-label');
  const before = firstRow();
  const input = [...document.querySelectorAll('[role="dialog"][aria-label="Filters"] label')]
    .find((l) => l.textContent.trim().startsWith(${JSON.stringify(name)}))?.querySelector('input');
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (firstRow() !== before) {
      observer.disconnect();
      resolve(performance.now() - started);
    }
  });
  observer.observe(document.body, { childList: true, subtree: true, attributes: true });
  input.click();
})`;

const SCROLL = `new Promise((resolve) => {
  const scroller = document.querySelector('[aria-label="Lead list"]').parentElement;
  let maxRows = 0;
  const started = performance.now();
  const step = () => {
    const t = performance.now() - started;
    scroller.scrollTop = (t / 4000) * 200000;
    maxRows = Math.max(maxRows, document.querySelectorAll('[aria-label="Lead list"] > li').length);
    if (t < 4000) requestAnimationFrame(step);
    else resolve(maxRows);
  };
  requestAnimationFrame(step);
})`;

async function burst(relayUrl: string, workspace: string, key: string, n: number): Promise<void> {
  const start = Date.now();
  const events: { id: string; sealed: string }[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomId();
    const visitorId = randomId();
    const view = pageView({
      id,
      visitorId,
      at: start + i,
      url: `https://shop.example/pricing?utm_source=linkedin&utm_medium=paid_social`,
      title: 'Pricing',
    });
    events.push({ id, sealed: await seal(key, JSON.stringify(view), workspace) });
  }
  const posts: Promise<Response>[] = [];
  for (let i = 0; i < events.length; i += 50) {
    posts.push(
      fetch(new URL(`/v1/intake/${workspace}`, relayUrl), {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ events: events.slice(i, i + 50) }),
      }),
    );
  }
  for (const res of await Promise.all(posts)) {
    if (!res.ok) throw new Error(`intake: ${String(res.status)} ${await res.text()}`);
  }
}

async function waitForCount(page: Page, count: number, timeout: number): Promise<void> {
  await page.getByLabel(`${count.toLocaleString('en')} leads`).waitFor({ timeout });
}

/** The member this page's browser joined as: id and public signing key, from its storage. */
const MEMBER = `new Promise((resolve, reject) => {
  const req = indexedDB.open('converge');
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const db = req.result;
    const all = db.transaction('workspaces').objectStore('workspaces').getAll();
    all.onsuccess = () => {
      const row = all.result[0];
      db.close();
      resolve({ id: row.memberId, key: row.signingPublicKey });
    };
  };
})`;

/** Adds a doc update to the page's stored team doc (it loads it on the next reload). */
const STORE_UPDATE = (
  workspace: string,
  bytes: number[],
): string => `new Promise((resolve, reject) => {
  const req = indexedDB.open(${JSON.stringify(`converge-ws-${workspace}`)});
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const tx = req.result.transaction('updates', 'readwrite');
    tx.objectStore('updates').add({ update: new Uint8Array(${JSON.stringify(bytes)}) });
    tx.oncomplete = () => { req.result.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
})`;

/** Saves the scoring rules, opens the list, and waits for its first row to show `label`. */
const RESCORE = (label: string): string => `new Promise((resolve) => {
  const started = performance.now();
  document.querySelector('form button[type="submit"]').click();
  const saved = () => (document.querySelector('form [role="status"]')?.textContent ?? '').startsWith('Saved');
  const rescored = () => document.querySelector('[aria-label="Lead list"] > li [aria-label=${JSON.stringify(label)}]');
  const step = () => {
    if (location.hash !== '#/leads' && saved()) location.hash = '#/leads';
    if (location.hash === '#/leads' && rescored()) resolve(performance.now() - started);
    else requestAnimationFrame(step);
  };
  step();
})`;

export async function benchLeadList(leads = 100_000): Promise<Record<string, number>> {
  process.env.RELAY_RATE_PER_SEC = '100000';
  process.env.RELAY_RATE_BURST = '100000';
  const stack = await startStack();
  const browser = await chromium.launch(LAUNCH);
  try {
    const built = await buildWorkspace({
      appUrl: stack.appUrl,
      relayUrl: stack.relayUrl,
      leads,
      assignEvery: 3,
      vipEvery: 5,
      enterpriseEvery: 7,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(built.inviteLink);
    await page.getByLabel('Your name').fill('Bench');
    await page.getByRole('button', { name: 'Join workspace' }).click();
    await waitForCount(page, leads, 600_000);

    // The owner makes this member an admin (so it may change the scoring rules); the signed
    // record is in the member's stored doc for the reload below.
    const member = await page.evaluate<{ id: string; key: JsonWebKey }>(MEMBER);
    const promotion = new Y.Doc();
    await record(promotion, built.owner, {
      kind: 'member',
      member: member.id,
      name: 'Bench',
      role: 'admin',
      key: publicKeyOf(member.key),
      at: Date.now() + 60_000,
    });
    await page.evaluate(STORE_UPDATE(built.workspace, [...Y.encodeStateAsUpdate(promotion)]));

    // First paint after a reload.
    await page.addInitScript({ content: OBSERVE });
    await page.reload();
    await page.locator('[aria-label="Lead list"] > li').first().waitFor({ timeout: 60_000 });
    const firstPaint = await page.evaluate<number>('window.firstRowAt');
    await waitForCount(page, leads, 60_000);
    // After the first paint the team doc loads, on the page's thread: how long it holds it.
    await page.waitForTimeout(8_000);
    const startupLongest = await page.evaluate<number>(longestSince(0));

    // Filter changes.
    await page.getByRole('button', { name: 'Filters', exact: true }).click();
    const filterMs: number[] = [];
    for (const option of ['vip', 'enterprise', 'vip', 'Unassigned', 'All', 'enterprise']) {
      filterMs.push(await page.evaluate<number>(FILTER_CHANGE(option)));
    }
    await page.keyboard.press('Escape');

    // Scrolling.
    const scrollFrom = await page.evaluate<number>('performance.now()');
    const maxRows = await page.evaluate<number>(SCROLL);
    const scrollLongest = await page.evaluate<number>(longestSince(scrollFrom));

    // A burst of 1,000 visits from new visitors.
    await page.evaluate(
      'document.querySelector(\'[aria-label="Lead list"]\').parentElement.scrollTop = 0',
    );
    const burstFrom = await page.evaluate<number>('performance.now()');
    await burst(stack.relayUrl, built.workspace, built.intakePublicKey, 1_000);
    await waitForCount(page, leads + 1_000, 120_000);
    const burstLongest = await page.evaluate<number>(longestSince(burstFrom));

    // New scoring rules: paid ads worth 40 instead of 25. The newest lead (a paid LinkedIn
    // visitor from the burst, on /pricing) goes from 75 to 90.
    await page
      .locator('[aria-label="Lead list"] > li')
      .first()
      .getByLabel('Score 75, Hot')
      .waitFor({ timeout: 10_000 });
    await page.evaluate("location.hash = '#/settings/scoring'");
    await page.getByLabel('Came from paid ads').fill('40');
    const rescoreMs = await page.evaluate<number>(RESCORE('Score 90, Hot'));

    const sorted = [...filterMs].sort((a, b) => a - b);
    return {
      'list.leads': leads,
      'list.firstPaintMs': Math.round(firstPaint),
      'list.startup.longestTaskMs': Math.round(startupLongest),
      'list.filterChange.p50Ms': Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN),
      'list.filterChange.maxMs': Math.round(sorted[sorted.length - 1] ?? NaN),
      'list.scroll.maxRowsInDom': maxRows,
      'list.scroll.longestTaskMs': Math.round(scrollLongest),
      'list.burst.events': 1_000,
      'list.burst.longestTaskMs': Math.round(burstLongest),
      'list.rescoreMs': Math.round(rescoreMs),
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}
