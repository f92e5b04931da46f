/**
 * Working a large workspace (SPEC §13), at 100,000 leads and at 1,000,000: first list paint
 * after a reload (≤ 1.0 s / ≤ 2 s), a filter change to rendered rows (≤ 50 ms / ≤ 200 ms), the
 * team worker's heap after load (≤ 100 MB at 100,000) and its team doc's load time (≤ 200 ms),
 * the list worker's heap. At 100,000 also: rows in the page while scrolling (≤ ~60), the longest
 * main-thread task while scrolling and while a burst of 1,000 visits arrives (≤ 50 ms), new
 * scoring rules re-scoring every lead (≤ 150 ms, from saving the rules to the list showing the
 * new scores), and a sustained flood of visits into the open tab (≥ 1,000 events/s, no
 * main-thread task over 50 ms). And the Overview: its first render after opening (≤ 300 ms /
 * ≤ 1 s), a period change (≤ 100 ms / ≤ 300 ms) and the longest main-thread task (≤ 50 ms).
 *
 * The workspace is built the way an owner's app leaves it (a third of the leads assigned, a
 * fifth tagged "vip", a seventh "enterprise"), joined by a new member from the relay snapshot;
 * the clock runs from the reload. Long tasks are the browser's own Long Tasks API (tasks of 50 ms
 * and more); "none" is reported as 0. Bursts come from many simulated visitors at once, so the
 * relay's per-address rate limit is raised for this run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import * as Y from 'yjs';
import { publicKeyOf, record } from '../../src/core/ledger.ts';
import { startStack } from '../../scripts/stack.ts';
import { randomId } from '../../src/core/bytes.ts';
import { seal } from '../../src/core/seal.ts';
import { buildWorkspace } from '../e2e/workspace-builder.ts';
import { pageView } from '../page-view.ts';
import { workerHeapMb, workerMeasureMs } from './workers.ts';
import { FOLDED, LAUNCH, longestSince, OBSERVE, waitForCount } from './shared.ts';

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

/** The chart's summary once it shows the period of `days` days. */
const SUMMARY = (days: string): string =>
  `[...document.querySelectorAll('p.summary')].some((p) => /new leads over\\s+${days}\\s+days/.test(p.textContent))`;

/** Opens the Overview from the sidebar; ms until its figures are drawn. */
const OPEN_OVERVIEW = `new Promise((resolve) => {
  const started = performance.now();
  document.querySelector('nav[aria-label="Main"] a[aria-label="Overview"]').click();
  const step = () => {
    if (${SUMMARY('\\d+')}) resolve(performance.now() - started);
    else requestAnimationFrame(step);
  };
  step();
})`;

/** Picks the last `days` days; ms until the figures show that period. */
const PERIOD = (days: number): string => `new Promise((resolve) => {
  const select = document.querySelector('select[aria-label="Period"]');
  const started = performance.now();
  select.value = '${String(days)}';
  select.dispatchEvent(new Event('change', { bubbles: true }));
  const step = () => {
    if (${SUMMARY(String(days))}) resolve(performance.now() - started);
    else requestAnimationFrame(step);
  };
  step();
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

type Sealed = { id: string; sealed: string }[];

/** Visits of `n` new visitors to /pricing from a paid LinkedIn ad, sealed as the widget does. */
async function sealVisits(workspace: string, key: string, n: number): Promise<Sealed> {
  const start = Date.now();
  const events: Sealed = [];
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
  return events;
}

/** Posts sealed visits to the relay's intake, a few batches at a time. */
async function post(relayUrl: string, workspace: string, events: Sealed): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = next; i < events.length; i = next) {
        next += 50;
        const res = await fetch(new URL(`/v1/intake/${workspace}`, relayUrl), {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ events: events.slice(i, i + 50) }),
        });
        if (!res.ok) throw new Error(`intake: ${String(res.status)} ${await res.text()}`);
      }
    }),
  );
}

/** Visits in the sustained flood. */
const FLOOD = 20_000;

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
  const big = leads >= 1_000_000;
  const name = big ? 'list1m' : 'list';
  const stack = await startStack();
  // A browser profile on disk: a fresh context's storage lives in memory, with a quota far
  // below what a million leads take.
  const profile = await mkdtemp(join(tmpdir(), 'converge-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...LAUNCH,
    viewport: { width: 1280, height: 900 },
  });
  const browser = context.browser();
  if (!browser) throw new Error('no browser');
  try {
    const built = await buildWorkspace({
      appUrl: stack.appUrl,
      relayUrl: stack.relayUrl,
      leads,
      assignEvery: 3,
      vipEvery: 5,
      enterpriseEvery: 7,
    });
    // Sealing takes this process a while: done before any clock runs.
    const burstVisits = big ? [] : await sealVisits(built.workspace, built.intakePublicKey, 1_000);
    const flood = big ? [] : await sealVisits(built.workspace, built.intakePublicKey, FLOOD);
    const page = await context.newPage();
    await page.goto(built.inviteLink);
    await page.getByLabel('Your name').fill('Bench');
    const joinStarted = Date.now();
    await page.getByRole('button', { name: 'Join workspace' }).click();
    await waitForCount(page, leads, 1_800_000);
    const joinMs = Date.now() - joinStarted;

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
    // The leads are listed before they are all written (see Projection.takeIn): a reload
    // before then folds the stored facts in again. A person who joined and reloads at once
    // pays that once; the bench measures a reload after it.
    for (let waited = 0; !(await page.evaluate<boolean>(FOLDED(built.workspace))); waited += 500) {
      if (waited > 600_000) throw new Error('the joined leads were never all written');
      await page.waitForTimeout(500);
    }
    // And the list worker's copy settles.
    await page.waitForTimeout(3_000);

    // First paint after a reload.
    await page.addInitScript({ content: OBSERVE });
    await page.reload();
    await page.locator('[aria-label="Lead list"] > li').first().waitFor({ timeout: 120_000 });
    const firstPaint = await page.evaluate<number>('window.firstRowAt');
    await waitForCount(page, leads, 120_000);
    const listLoad = await workerMeasureMs(page, 'list.worker', 'converge:list-load');
    const docLoad = await workerMeasureMs(page, 'team.worker', 'converge:team-doc-load');
    // Everything loaded and settled: what each worker holds.
    await page.waitForTimeout(5_000);
    const startupLongest = await page.evaluate<number>(longestSince(0));
    const teamHeap = await workerHeapMb(browser, 'team.worker');
    const listHeap = await workerHeapMb(browser, 'list.worker');

    // Filter changes.
    await page.getByRole('button', { name: 'Filters', exact: true }).click();
    const filterMs: number[] = [];
    for (const option of ['vip', 'enterprise', 'vip', 'Unassigned', 'All', 'enterprise']) {
      filterMs.push(await page.evaluate<number>(FILTER_CHANGE(option)));
    }
    await page.keyboard.press('Escape');

    // The Overview (the built leads all arrived in the last 3 days: every period holds them).
    const overviewFrom = await page.evaluate<number>('performance.now()');
    const overviewOpen = await page.evaluate<number>(OPEN_OVERVIEW);
    const counted = await page.evaluate<string>(
      `document.querySelector('a[aria-label$="reached New Visitor"]')?.textContent ?? ''`,
    );
    if (counted !== leads.toLocaleString('en')) {
      throw new Error(`the Overview counted ${counted} leads, not ${String(leads)}`);
    }
    const periodMs: number[] = [];
    for (const days of [7, 90, 30]) periodMs.push(await page.evaluate<number>(PERIOD(days)));
    const overviewLongest = await page.evaluate<number>(longestSince(overviewFrom));
    await page.evaluate("location.hash = '#/leads'");
    await page.locator('[aria-label="Lead list"] > li').first().waitFor();

    const sorted = [...filterMs].sort((a, b) => a - b);
    const figures: Record<string, number> = {
      [`${name}.leads`]: leads,
      [`${name}.joinMs`]: joinMs,
      [`${name}.firstPaintMs`]: Math.round(firstPaint),
      [`${name}.listLoadMs`]: listLoad,
      [`${name}.teamDocLoadMs`]: docLoad,
      [`${name}.startup.longestTaskMs`]: Math.round(startupLongest),
      [`${name}.teamWorkerHeapMb`]: teamHeap,
      [`${name}.listWorkerHeapMb`]: listHeap,
      [`${name}.filterChange.p50Ms`]: Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN),
      [`${name}.filterChange.maxMs`]: Math.round(sorted[sorted.length - 1] ?? NaN),
      [`${name}.overview.firstRenderMs`]: Math.round(overviewOpen),
      [`${name}.overview.periodChange.maxMs`]: Math.round(Math.max(...periodMs)),
      [`${name}.overview.longestTaskMs`]: Math.round(overviewLongest),
    };
    if (big) return figures;

    // Scrolling.
    const scrollFrom = await page.evaluate<number>('performance.now()');
    const maxRows = await page.evaluate<number>(SCROLL);
    const scrollLongest = await page.evaluate<number>(longestSince(scrollFrom));

    // A burst of 1,000 visits from new visitors.
    await page.evaluate(
      'document.querySelector(\'[aria-label="Lead list"]\').parentElement.scrollTop = 0',
    );
    const burstFrom = await page.evaluate<number>('performance.now()');
    await post(stack.relayUrl, built.workspace, burstVisits);
    await waitForCount(page, leads + 1_000, 120_000);
    const burstLongest = await page.evaluate<number>(longestSince(burstFrom));

    // A sustained flood: visits posted as fast as the relay takes them, the tab open.
    const floodFrom = await page.evaluate<number>('performance.now()');
    const floodStarted = Date.now();
    await post(stack.relayUrl, built.workspace, flood);
    const postedMs = Date.now() - floodStarted;
    await waitForCount(page, leads + 1_000 + FLOOD, 300_000);
    const ingestedMs = Date.now() - floodStarted;
    const floodLongest = await page.evaluate<number>(longestSince(floodFrom));

    // New scoring rules: paid ads worth 40 instead of 25. The newest lead (a paid LinkedIn
    // visitor from the flood, on /pricing) goes from 75 to 90.
    await page
      .locator('[aria-label="Lead list"] > li')
      .first()
      .getByLabel('Score 75, Hot')
      .waitFor({ timeout: 10_000 });
    await page.evaluate("location.hash = '#/settings/scoring'");
    await page.getByLabel('Came from paid ads').fill('40');
    const rescoreMs = await page.evaluate<number>(RESCORE('Score 90, Hot'));

    return {
      ...figures,
      'list.scroll.maxRowsInDom': maxRows,
      'list.scroll.longestTaskMs': Math.round(scrollLongest),
      'list.burst.events': 1_000,
      'list.burst.longestTaskMs': Math.round(burstLongest),
      'list.flood.events': FLOOD,
      'list.flood.postedPerSec': Math.round((FLOOD / postedMs) * 1000),
      'list.flood.ingestedPerSec': Math.round((FLOOD / ingestedMs) * 1000),
      'list.flood.longestTaskMs': Math.round(floodLongest),
      'list.rescoreMs': Math.round(rescoreMs),
    };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await stack.stop();
  }
}
