/** Team edits on leads, in the team doc, as this member and as heard from teammates. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { conversationOf } from '../../src/core/conversation.ts';
import { assignments, customers, tags } from '../../src/core/team-doc.ts';
import { TeamEdits } from '../../src/team/team-edits.ts';

describe('team edits', () => {
  it('writes each edit as this member, at the time the clock gives, where it is read', () => {
    const doc = new Y.Doc();
    let now = 1_000;
    const edits = new TeamEdits(doc, 'ada', { now: () => now });
    edits.assign('lead1', 'grace');
    now = 2_000;
    edits.tag('lead1', ' VIP ');
    now = 3_000;
    edits.markCustomer('lead1');
    // Who assigned or tagged, and when, is never read: not written (see team-doc.ts).
    expect(assignments(doc).get('lead1')).toEqual({ to: 'grace' });
    expect([...tags(doc).values()]).toEqual([true]);
    expect(customers(doc).get('lead1')).toEqual({ by: 'ada', at: 3_000 });
    expect(edits.teamFactsOf('lead1')).toEqual({
      assignee: 'grace',
      tags: ['vip'],
      customer: true,
      messaged: false,
      readBy: {},
    });
    now = 4_000;
    const message = edits.write('lead1', '  Hello\r\nthere\u0000 ');
    expect(message).toMatchObject({ at: 4_000, from: 'team', text: 'Hello\nthere', by: 'ada' });
    expect(edits.messagesOf('lead1')).toEqual([message]);
    expect(edits.teamFactsOf('lead1').messaged).toBe(true);
    expect(edits.teamFactsOf('lead1').lastMessage).toEqual({ at: 4_000, text: 'Hello\nthere' });
    edits.markRead('lead1', 3_500);
    expect(edits.teamFactsOf('lead1').readBy).toEqual({ ada: 3_500 });
    expect(edits.write('lead1', ' \u200b ')).toBeUndefined();
  });

  it('two teammates writing at once both land, in one order on both sides', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const ada = new TeamEdits(a, 'ada', { now: () => 5_000 });
    const grace = new TeamEdits(b, 'grace', { now: () => 5_000 });
    ada.write('lead1', 'From Ada');
    grace.write('lead1', 'From Grace');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const order = (edits: TeamEdits) =>
      conversationOf([], edits.messagesOf('lead1')).map((m) => m.text);
    expect(order(ada).sort()).toEqual(['From Ada', 'From Grace']);
    expect(order(ada)).toEqual(order(grace));
  });

  it('names the leads each change touched, whoever made it, and the tags in use', () => {
    const mine = new Y.Doc();
    const theirs = new Y.Doc();
    const edits = new TeamEdits(mine, 'ada', { now: () => 1 });
    const other = new TeamEdits(theirs, 'grace', { now: () => 1 });
    const changed: [string[], unknown][] = [];
    const inUse: string[][] = [];
    edits.on('changed', (leads, origin) => changed.push([[...leads], origin]));
    edits.on('tags', (list) => inUse.push(list));
    edits.assign('lead1', 'ada');
    other.tag('lead2', 'enterprise');
    other.untag('lead2', 'enterprise');
    other.tag('lead3', 'vip');
    Y.applyUpdate(mine, Y.encodeStateAsUpdate(theirs), 'teammate');
    expect(changed).toEqual([
      [['lead1'], null],
      [['lead3'], 'teammate'],
    ]);
    expect(inUse.at(-1)).toEqual(['vip']);
    expect(edits.tagsInUse).toEqual(['vip']);
  });
});
