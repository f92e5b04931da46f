/**
 * The widget alone, in Chromium, on a host page of its own origin: what it captures (opened with
 * the workspace's private key, as the app would), when it counts a page view, how it survives a
 * failing relay and blocked storage, and that it never disturbs the host page. The relay here is
 * a scripted stand-in so each test can choose its answers; capture.spec.ts uses the real one.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page, Route } from '@playwright/test';
import { randomId } from '../../src/core/bytes.ts';
import type { CaptureEvent, PageView } from '../../src/core/capture.ts';
import type { IntakeRequest } from '../../src/core/relay-protocol.ts';
import { generateIntakeKeyPair, importIntakePrivateKey, open } from '../../src/core/seal.ts';
import { expect, test, visitorContext, VISITOR_UA } from './fixtures.ts';

const SITE = 'https://shop.example';
const CDN = 'https://cdn.example';
const RELAY = 'https://relay.example';
const widgetCode = readFile(new URL('../../public/widget.js', import.meta.url), 'utf8');

/** A host site with the widget installed, and a relay whose answers the test decides. */
class Harness {
  readonly workspace = randomId();
  /** Every intake request the relay saw, in order, with the status it answered. */
  readonly requests: { items: IntakeRequest['events']; status: number }[] = [];
  /** Status for the next intake requests (then 200). */
  failNext: number[] = [];
  private keys = generateIntakeKeyPair();
  page!: Page;

  constructor(readonly context: BrowserContext) {}

  async install(hostScript = ''): Promise<Page> {
    const keys = await this.keys;
    const code = await widgetCode;
    await this.context.route(`${CDN}/**`, (route) =>
      route.fulfill({ contentType: 'text/javascript', body: code }),
    );
    await this.context.route(`${RELAY}/**`, (route) => this.relay(route));
    await this.context.route(`${SITE}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      return route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html><head><title>Shop ${path}</title>
<script>window.hostErrors=[];addEventListener('error',e=>hostErrors.push(String(e.message)));
addEventListener('unhandledrejection',e=>hostErrors.push(String(e.reason)));${hostScript}</script>
</head><body><h1>Shop ${path}</h1><p>Hello</p>
<script async src="${CDN}/widget.js" data-workspace="${this.workspace}" data-key="${keys.publicKey}" data-relay="${RELAY}"></script>
</body></html>`,
      });
    });
    this.page = await this.context.newPage();
    return this.page;
  }

  private async relay(route: Route): Promise<void> {
    const body = JSON.parse(route.request().postData() ?? '{}') as IntakeRequest;
    const status = this.failNext.shift() ?? 200;
    this.requests.push({ items: body.events, status });
    await route.fulfill({
      status,
      contentType: 'application/json',
      headers: { 'access-control-allow-origin': '*' },
      body: JSON.stringify(status === 200 ? { accepted: body.events.length, duplicates: 0 } : {}),
    });
  }

  /** Distinct events the relay accepted, opened with the workspace's private key. */
  async accepted(): Promise<CaptureEvent[]> {
    const key = await importIntakePrivateKey((await this.keys).privateKey);
    const seen = new Map<string, CaptureEvent>();
    for (const request of this.requests.filter((r) => r.status === 200)) {
      for (const item of request.items) {
        const event = JSON.parse(await open(key, item.sealed, this.workspace)) as CaptureEvent;
        expect(event.id).toBe(item.id);
        seen.set(item.id, event);
      }
    }
    return [...seen.values()];
  }

  async pageViews(count: number): Promise<PageView[]> {
    await expect.poll(async () => (await this.accepted()).length).toBe(count);
    return (await this.accepted()).filter((e): e is PageView => e.kind === 'pageview');
  }
}

test('a page view carries the attribution, locale and device facts, sealed', async ({
  browser,
}) => {
  const context = await visitorContext(browser, {
    timezoneId: 'America/Sao_Paulo',
    locale: 'pt-BR',
  });
  const site = new Harness(context);
  const page = await site.install();
  await page.setViewportSize({ width: 1111, height: 777 });
  const landing = `${SITE}/landing?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_content=ad1&utm_term=crm&gclid=abc123`;
  await page.goto(landing, { referer: 'https://www.google.com/' });

  const [view] = await site.pageViews(1);
  expect(view).toMatchObject({
    kind: 'pageview',
    nav: 'load',
    url: landing,
    title: 'Shop /landing',
    referrer: 'https://www.google.com/',
    tz: 'America/Sao_Paulo',
    viewport: [1111, 777],
  });
  expect(view?.languages[0]).toBe('pt-BR');
  expect(view?.ua).toContain('Chrome/131');
  expect(view?.screen).toHaveLength(2);
  expect(view?.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(view?.visitorId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(Math.abs((view?.at ?? 0) - Date.now())).toBeLessThan(60_000);
  // Nothing readable went over the wire.
  const wire = JSON.stringify(site.requests);
  for (const secret of ['spring', 'Sao_Paulo', 'landing', 'google']) {
    expect(wire).not.toContain(secret);
  }
  await context.close();
});

test('one visitor id per browser, a fresh event id per page view', async ({ browser }) => {
  const context = await visitorContext(browser);
  const site = new Harness(context);
  const page = await site.install();
  await page.goto(`${SITE}/`);
  await page.goto(`${SITE}/pricing`);
  await page.reload();
  const views = await site.pageViews(3);
  expect(new Set(views.map((v) => v.visitorId)).size).toBe(1);
  expect(new Set(views.map((v) => v.id)).size).toBe(3);
  expect(views.map((v) => new URL(v.url).pathname).sort()).toEqual(['/', '/pricing', '/pricing']);

  const other = await visitorContext(browser);
  const secondSite = new Harness(other);
  secondSite.requests.length = 0;
  const otherPage = await secondSite.install();
  await otherPage.goto(`${SITE}/`);
  const [stranger] = await secondSite.pageViews(1);
  expect(stranger?.visitorId).not.toBe(views[0]?.visitorId);
  await other.close();
  await context.close();
});

test('single-page-app navigations count only when the path changes', async ({ browser }) => {
  const context = await visitorContext(browser);
  const site = new Harness(context);
  const page = await site.install();
  await page.goto(`${SITE}/`);
  await site.pageViews(1);

  await page.evaluate(() => {
    history.pushState({}, '', '/features');
    document.title = 'Features';
  });
  await site.pageViews(2);
  // Same path: a query or hash change is not a new page.
  await page.evaluate(() => {
    history.replaceState({}, '', '/features?tab=2');
    location.hash = 'details';
  });
  await page.evaluate(() => {
    history.replaceState({}, '', '/docs');
  });
  await site.pageViews(3);
  await page.goBack(); // popstate back to /features#details
  const views = await site.pageViews(4);

  const spa = views.filter((v) => v.nav === 'spa');
  expect(spa.map((v) => new URL(v.url).pathname)).toEqual(['/features', '/docs', '/features']);
  const features = spa[0];
  expect(features?.title).toBe('Features');
  // Inside the site the previous page is the referrer.
  expect(features?.referrer).toBe(`${SITE}/`);
  await context.close();
});

test('hash-route navigations are page views; in-page anchors are not', async ({ browser }) => {
  const context = await visitorContext(browser);
  const site = new Harness(context);
  const page = await site.install();
  await page.goto(`${SITE}/app`);
  await site.pageViews(1);
  await page.evaluate(() => {
    location.hash = '#/pricing';
  });
  await site.pageViews(2);
  await page.evaluate(() => {
    location.hash = '#faq';
  });
  await page.evaluate(() => {
    location.hash = '#/pricing?plan=team';
  });
  await page.evaluate(() => {
    location.hash = '#!/docs';
  });
  const views = await site.pageViews(3);
  expect(views.map((v) => new URL(v.url).hash)).toEqual(['', '#/pricing', '#!/docs']);
  // Inside the site the previous page is the referrer.
  expect(views[2]?.referrer).toBe(`${SITE}/app#/pricing`);
  await page.waitForTimeout(300);
  expect(await site.accepted()).toHaveLength(3);
  await context.close();
});

test('a back-forward-cache restore is a page view', async ({ browser }) => {
  const context = await visitorContext(browser);
  const site = new Harness(context);
  const page = await site.install();
  await page.goto(`${SITE}/`);
  await site.pageViews(1);
  await page.evaluate(() => {
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
  });
  const views = await site.pageViews(2);
  expect(views.map((v) => v.nav).sort()).toEqual(['bfcache', 'load']);
  await context.close();
});

test('nothing is lost while the relay fails: retried with backoff, then on the next page', async ({
  browser,
}) => {
  const context = await visitorContext(browser);
  const site = new Harness(context);
  site.failNext = [503, 500, 429];
  const page = await site.install();
  await page.goto(`${SITE}/`);
  const [view] = await site.pageViews(1);
  expect(site.requests.map((r) => r.status)).toEqual([503, 500, 429, 200]);
  // Every retry carried the same event id, so the relay can drop repeats.
  expect(new Set(site.requests.flatMap((r) => r.items.map((i) => i.id)))).toEqual(
    new Set([view?.id]),
  );

  // A long outage: the queue survives the page and goes out from the next one.
  site.failNext = Array<number>(50).fill(503);
  await page.evaluate(() => {
    history.pushState({}, '', '/pricing');
  });
  await expect.poll(() => site.requests.length).toBeGreaterThan(5);
  site.failNext = [];
  await page.goto(`${SITE}/blog`);
  const views = await site.pageViews(3);
  expect(views.map((v) => new URL(v.url).pathname).sort()).toEqual(['/', '/blog', '/pricing']);
  await context.close();
});

test('blocked storage and a hostile page: still captured, never an error in the host', async ({
  browser,
}) => {
  const context = await visitorContext(browser);
  const site = new Harness(context);
  const page = await site.install(
    `Storage.prototype.getItem=function(){throw new Error('blocked')};
     Storage.prototype.setItem=function(){throw new Error('blocked')};`,
  );
  const added: string[] = [];
  await page.exposeFunction('reportAdded', (tag: string) => added.push(tag));
  await page.addInitScript(() => {
    new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes)
          if (n instanceof Element && n.tagName !== 'SCRIPT' && document.readyState === 'complete')
            (window as unknown as { reportAdded(t: string): void }).reportAdded(n.tagName);
    }).observe(document, { subtree: true, childList: true });
  });
  await page.goto(`${SITE}/`);
  await page.evaluate(() => {
    history.pushState({}, '', '/next');
  });
  const views = await site.pageViews(2);
  // Without storage the visitor id lives for the page's life.
  expect(views[0]?.visitorId).toBe(views[1]?.visitorId);
  expect(
    await page.evaluate(() => (window as unknown as { hostErrors: string[] }).hostErrors),
  ).toEqual([]);
  const shift = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries())
            total += (entry as unknown as { value: number }).value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => {
          resolve(total);
        }, 200);
      }),
  );
  expect(shift).toBe(0);
  expect(added).toEqual([]);
  await context.close();
});

test('a relay answering garbage or refusing the batch never reaches the host page', async ({
  browser,
}) => {
  const context = await visitorContext(browser);
  const site = new Harness(context);
  site.failNext = [400];
  const page = await site.install();
  await page.goto(`${SITE}/`);
  await expect.poll(() => site.requests.length).toBe(1);
  // 400 means the batch can never be accepted: dropped, not retried for ever.
  await page.waitForTimeout(1500);
  expect(site.requests).toHaveLength(1);
  expect(
    await page.evaluate(() => (window as unknown as { hostErrors: string[] }).hostErrors),
  ).toEqual([]);
  await context.close();
});

test('automated browsers are excluded: counted, with nothing about the visit', async ({
  browser,
}) => {
  const cases: { name: string; context: () => Promise<BrowserContext> }[] = [
    // A normal user agent, but navigator.webdriver is set, as under any automation.
    { name: 'webdriver', context: () => browser.newContext({ userAgent: VISITOR_UA }) },
    {
      name: 'headless',
      context: () =>
        visitorContext(browser, {
          userAgent:
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
        }),
    },
  ];
  for (const c of cases) {
    const context = await c.context();
    const site = new Harness(context);
    const page = await site.install();
    await page.goto(`${SITE}/pricing?utm_source=x`);
    await expect.poll(async () => (await site.accepted()).length, { message: c.name }).toBe(1);
    const [event] = await site.accepted();
    expect(event, c.name).toEqual({
      kind: 'excluded',
      id: event?.id,
      at: event?.at,
      reason: 'automation',
    });
    await context.close();
  }
});
