import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { PageView } from '../../src/core/capture.ts';
import {
  addPageViews,
  assignLead,
  customers,
  markCustomer,
  pageViewsOf,
  TagIndex,
  tags,
  teamFactsOf,
  views,
  VisitIndex,
} from '../../src/core/team-doc.ts';
import { pageView } from '../page-view.ts';

function view(id: string, visitorId: string, at: number, path = '/'): PageView {
  return pageView({
    id: id.padEnd(22, 'x'),
    visitorId: visitorId.padEnd(22, 'v'),
    at,
    url: `https://site.example${path}`,
    title: path,
  });
}

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('team doc', () => {
  it('adds a page view once however often it is ingested', () => {
    const doc = new Y.Doc();
    const e = view('e1', 'v1', 1);
    expect(addPageViews(doc, [e, e])).toEqual(new Set([e.visitorId]));
    expect(addPageViews(doc, [e]).size).toBe(0);
    expect(views(doc).size).toBe(1);
  });

  it('two peers ingesting overlapping events converge to the same views', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const events = [view('e1', 'v1', 1), view('e2', 'v1', 2, '/pricing'), view('e3', 'v2', 3)];
    addPageViews(a, events.slice(0, 2));
    addPageViews(b, events.slice(1));
    sync(a, b);
    expect(views(a).toJSON()).toEqual(views(b).toJSON());
    expect(views(a).size).toBe(3);
  });

  it('rebuilds a visitor’s full page views with their latest profile', () => {
    const doc = new Y.Doc();
    const first = view('e1', 'v1', 1);
    const later = { ...view('e2', 'v1', 5, '/pricing'), tz: 'America/New_York' };
    addPageViews(doc, [later, first]);
    const index = new VisitIndex(doc);
    const rebuilt = pageViewsOf(doc, index.eventsOf(first.visitorId), first.visitorId);
    expect(rebuilt.map((v) => v.url).sort()).toEqual([first.url, later.url].sort());
    expect(rebuilt.every((v) => v.tz === 'America/New_York')).toBe(true);
  });

  it('keeps the visit index in step with changes from any peer', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const index = new VisitIndex(a);
    const touched: string[] = [];
    views(a).observe((event) => touched.push(...index.apply(event)));
    addPageViews(b, [view('e1', 'v1', 1), view('e2', 'v2', 2)]);
    sync(a, b);
    expect(new Set(touched)).toEqual(new Set(['v1'.padEnd(22, 'v'), 'v2'.padEnd(22, 'v')]));
    expect(index.eventsOf('v1'.padEnd(22, 'v')).size).toBe(1);
    expect(index.visitorCount).toBe(2);
  });
});

describe('capture event validation', async () => {
  const { checkCaptureEvent } = await import('../../src/core/capture.ts');
  const good = view('e1', 'v1', 1000, '/pricing');

  it('accepts a well-formed page view', () => {
    expect(checkCaptureEvent(good)).toEqual({ ok: true, value: good });
  });

  it.each([
    ['not an object', 'x'],
    ['unknown kind', { ...good, kind: 'evil' }],
    ['javascript: url', { ...good, url: 'javascript:alert(1)' }],
    ['bad id', { ...good, id: 'short' }],
    ['negative time', { ...good, at: -1 }],
    ['NaN time', { ...good, at: Number.NaN }],
    ['screen not a pair', { ...good, screen: [1] }],
    ['languages not a list', { ...good, languages: 'de' }],
    ['title not a string', { ...good, title: 42 }],
  ])('rejects %s', (_name, input) => {
    expect(checkCaptureEvent(input).ok).toBe(false);
  });

  it('strips control characters and caps lengths of visitor text', () => {
    const checked = checkCaptureEvent({
      ...good,
      title: `a\u0000b\u202Ec${'x'.repeat(1000)}`,
      referrer: 'data:text/html,<script>',
    });
    expect(checked.ok).toBe(true);
    if (!checked.ok || checked.value.kind !== 'pageview') return;
    expect(checked.value.title.startsWith('abc')).toBe(true);
    expect(checked.value.title.length).toBe(300);
    expect(checked.value.referrer).toBe('');
  });

  it('accepts an excluded visit without any visitor data', () => {
    const checked = checkCaptureEvent({ kind: 'excluded', id: good.id, at: 5, reason: 'bot' });
    expect(checked).toEqual({
      ok: true,
      value: { kind: 'excluded', id: good.id, at: 5, reason: 'bot' },
    });
  });
});

describe('team edits', () => {
  it('indexes tags by lead as adds and removes arrive, from any peer', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const touched: string[][] = [];
    const index = new TagIndex(a, (leads) => touched.push([...leads]));
    const other = new TagIndex(b);

    index.add('lead1', '  VIP ', 'ada');
    index.add('lead1', 'Enterprise', 'ada');
    index.add('lead2', 'vip', 'ada');
    index.add('lead2', 'VIP', 'ada'); // already there: nothing new
    expect(tags(a).size).toBe(3);
    expect(index.tagsOf('lead1')).toEqual(['enterprise', 'vip']);
    expect(index.allTags()).toEqual(['enterprise', 'vip']);

    // Grace, offline with a copy, adds "follow up" and removes "enterprise"; Ada removes "vip".
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    other.add('lead1', 'follow up', 'grace');
    other.remove('lead1', 'enterprise');
    index.remove('lead1', 'vip');
    expect(index.tagsOf('lead1')).toEqual(['enterprise']);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    expect(index.tagsOf('lead1')).toEqual(['follow up']);
    expect(index.allTags()).toEqual(['follow up', 'vip']);
    index.remove('lead2', 'vip');
    expect(index.allTags()).toEqual(['follow up']);
    expect(index.has('lead1', 'Follow Up')).toBe(true);
    expect(touched.flat().every((l) => l === 'lead1' || l === 'lead2')).toBe(true);
    expect(new TagIndex(a).tagsOf('lead1')).toEqual(index.tagsOf('lead1'));
  });

  it('folds assignee, tags and customer into team facts', () => {
    const doc = new Y.Doc();
    const index = new TagIndex(doc);
    expect(teamFactsOf(doc, index, 'lead1')).toEqual({ assignee: null, tags: [], customer: false });
    assignLead(doc, 'lead1', 'grace', 'ada');
    index.add('lead1', 'vip', 'ada');
    markCustomer(doc, 'lead1', 'ada');
    markCustomer(doc, 'lead1', 'grace');
    expect(teamFactsOf(doc, index, 'lead1')).toEqual({
      assignee: 'grace',
      tags: ['vip'],
      customer: true,
    });
    expect(customers(doc).get('lead1')?.by).toBe('ada');
    assignLead(doc, 'lead1', null, 'grace');
    expect(teamFactsOf(doc, index, 'lead1').assignee).toBeNull();
  });
});
