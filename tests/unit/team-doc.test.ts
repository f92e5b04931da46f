import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { PageView } from '../../src/core/capture.ts';
import {
  assignLead,
  assignments,
  customers,
  markCustomer,
  MessageIndex,
  ReadIndex,
  TagIndex,
  tagPrefix,
  tags,
  teamFactsOf,
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

    index.add('lead1', '  VIP ');
    index.add('lead1', 'Enterprise');
    index.add('lead2', 'vip');
    index.add('lead2', 'VIP'); // already there: nothing new
    expect(tags(a).size).toBe(3);
    expect(index.tagsOf('lead1')).toEqual(['enterprise', 'vip']);
    expect(index.allTags()).toEqual(['enterprise', 'vip']);

    // Grace, offline with a copy, adds "follow up" and removes "enterprise"; Ada removes "vip".
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    other.add('lead1', 'follow up');
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
    const said = new MessageIndex(doc);
    const reads = new ReadIndex(doc);
    expect(teamFactsOf(doc, { tags: index, messages: said, reads }, 'lead1')).toEqual({
      assignee: null,
      tags: [],
      customer: false,
      messaged: false,
      readBy: {},
    });
    assignLead(doc, 'lead1', 'grace');
    index.add('lead1', 'vip');
    markCustomer(doc, 'lead1', 'ada', 2);
    markCustomer(doc, 'lead1', 'grace', 3);
    said.write('lead1', 'message-id-00000001', { by: 'ada', at: 5, text: 'Hello' });
    reads.mark('lead1', 'grace', 9);
    reads.mark('lead1', 'grace', 3); // never back in time
    expect(teamFactsOf(doc, { tags: index, messages: said, reads }, 'lead1')).toEqual({
      assignee: 'grace',
      tags: ['vip'],
      customer: true,
      messaged: true,
      readBy: { grace: 9 },
      lastMessage: { at: 5, text: 'Hello' },
    });
    expect(said.of('lead1')).toEqual([
      { id: 'message-id-00000001', at: 5, from: 'team', text: 'Hello', by: 'ada' },
    ]);
    expect(said.has('lead2')).toBe(false);
    expect(customers(doc).get('lead1')?.by).toBe('ada');
    assignLead(doc, 'lead1', null);
    expect(teamFactsOf(doc, { tags: index, messages: said, reads }, 'lead1').assignee).toBeNull();
  });

  it('reads what older browsers wrote: in Y.Maps, with who assigned or tagged, and when', () => {
    const doc = new Y.Doc();
    doc.getMap('assignments').set('lead1', { to: 'grace', by: 'ada', at: 1 });
    doc.getMap('tags').set(`${tagPrefix('lead1', 'vip')}old.1`, { by: 'ada', at: 2 });
    const index = new TagIndex(doc);
    const facts = teamFactsOf(
      doc,
      { tags: index, messages: new MessageIndex(doc), reads: new ReadIndex(doc) },
      'lead1',
    );
    expect(facts).toMatchObject({ assignee: 'grace', tags: ['vip'] });
    // And a tag an older browser added is removed as any other.
    index.remove('lead1', 'vip');
    expect(tags(doc).size).toBe(0);
    expect(doc.getMap('tags').size).toBe(0);
    // Reassigned, the lead's entry moves to the list.
    assignLead(doc, 'lead1', 'ada');
    expect(doc.getMap('assignments').size).toBe(0);
    expect(assignments(doc).get('lead1')).toEqual({ to: 'ada' });
  });
});
