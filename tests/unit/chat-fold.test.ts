import { describe, expect, it } from 'vitest';
import { checkCaptureEvent } from '../../src/core/capture.ts';
import type { LoggedChat } from '../../src/core/facts.ts';
import { conversationOf } from '../../src/core/conversation.ts';
import { leadOf, NO_TEAM_FACTS, unreadFor, withEvents } from '../../src/core/lead.ts';
import { detailOf } from '../../src/core/lead-detail.ts';
import { DEFAULT_RULES } from '../../src/core/scoring.ts';
import { pageView } from '../page-view.ts';

const VISITOR = 'visitor_abcdefghijklmn';
const KEY = 'K'.repeat(87);
const OTHER = 'Q'.repeat(87);
const BOX = 'mailbox_abcdefghijklmnop';

const view = {
  ...pageView({ id: 'event_0000000000000001', visitorId: VISITOR, at: 1000 }),
  seq: 1,
};
function said(seq: number, text: string, from = KEY, at = 1000 + seq): LoggedChat {
  return {
    kind: 'message',
    id: `message_${String(seq).padStart(12, '0')}`,
    visitorId: VISITOR,
    at,
    text,
    mailbox: BOX,
    seq,
    from,
  };
}
function named(seq: number, name: string, from = KEY): LoggedChat {
  return {
    kind: 'name',
    id: `name_${String(seq).padStart(15, '0')}`,
    visitorId: VISITOR,
    at: 1000 + seq,
    name,
    mailbox: BOX,
    seq,
    from,
  };
}

describe('chat events on a lead', () => {
  it('a name makes the lead L2 with that name, a message L3', () => {
    const l1 = withEvents(undefined, VISITOR, [view], NO_TEAM_FACTS, 1);
    expect(l1?.row.stage).toBe('L1');
    const l2 = withEvents(l1, VISITOR, [named(2, 'Ada Lovelace')], NO_TEAM_FACTS, 2);
    expect(l2?.row.stage).toBe('L2');
    expect(l2?.row.displayName).toBe('Ada Lovelace');
    expect(l2?.row.generatedName).not.toBe('Ada Lovelace');
    const l3 = withEvents(l2, VISITOR, [said(3, 'Do you ship to Berlin?')], NO_TEAM_FACTS, 3);
    expect(l3?.row.stage).toBe('L3');
    expect(l3?.facts.chat?.messages.map((m) => m.text)).toEqual(['Do you ship to Berlin?']);
    expect(l3?.facts.chat?.mailbox).toBe(BOX);
  });

  it('a teammate’s message makes the lead L3 too, and stages never go back', () => {
    const lead = withEvents(undefined, VISITOR, [view, named(2, 'Ada')], NO_TEAM_FACTS, 1);
    if (!lead) throw new Error('no lead');
    const team = { ...NO_TEAM_FACTS, messaged: true };
    expect(leadOf(lead.id, lead.facts, team, 2).row.stage).toBe('L3');
    const later = withEvents(
      lead,
      VISITOR,
      [{ ...view, id: 'event_0000000000000009', at: 9000 }],
      team,
      3,
    );
    expect(later?.row.stage).toBe('L3');
  });

  it('only the key that wrote first speaks for the visitor', () => {
    const lead = withEvents(
      undefined,
      VISITOR,
      [view, said(2, 'hello'), said(3, 'I am the visitor now', OTHER), named(4, 'Mallory', OTHER)],
      NO_TEAM_FACTS,
      1,
    );
    expect(lead?.facts.chat?.messages.map((m) => m.text)).toEqual(['hello']);
    expect(lead?.facts.chat?.refused).toBe(2);
    expect(lead?.row.displayName).not.toBe('Mallory');
    expect(lead?.row.stage).toBe('L3');
  });

  it('a message delivered twice is kept once; messages in time order; the latest name wins', () => {
    const once = withEvents(
      undefined,
      VISITOR,
      [view, said(2, 'b', KEY, 5000), named(3, 'Ada'), said(4, 'a', KEY, 4000)],
      NO_TEAM_FACTS,
      1,
    );
    const twice = withEvents(
      once,
      VISITOR,
      [said(2, 'b', KEY, 5000), named(5, 'Ada L.')],
      NO_TEAM_FACTS,
      2,
    );
    expect(twice?.facts.chat?.messages.map((m) => m.text)).toEqual(['a', 'b']);
    expect(twice?.row.displayName).toBe('Ada L.');
  });

  it('chat text is cleaned: line breaks kept, controls and invisibles gone, capped', () => {
    const checked = checkCaptureEvent({
      kind: 'message',
      id: 'message_000000000001',
      visitorId: VISITOR,
      at: 1,
      mailbox: BOX,
      text: '  Hi\r\n\n\n\nthere\u202e\u0000 ' + 'x'.repeat(5000),
    });
    expect(checked.ok).toBe(true);
    if (checked.ok && checked.value.kind === 'message') {
      expect(checked.value.text.startsWith('Hi\n\nthere x')).toBe(true);
      expect(checked.value.text).toHaveLength(4000);
    }
    expect(
      checkCaptureEvent({
        kind: 'message',
        id: 'message_000000000001',
        visitorId: VISITOR,
        at: 1,
        mailbox: BOX,
        text: ' \u200b ',
      }),
    ).toEqual({ ok: false, error: 'text is empty' });
    expect(
      checkCaptureEvent({
        kind: 'name',
        id: 'name_0000000000000001',
        visitorId: VISITOR,
        at: 1,
        mailbox: 'x',
        name: 'Ada',
      }),
    ).toEqual({ ok: false, error: 'mailbox is not an id' });
  });
});

describe('the conversation', () => {
  it('puts both sides in one order, the auto-reply right after the message it answered', () => {
    const lines = conversationOf(
      [
        { id: 'message_b', at: 2000, text: 'anyone?', away: true, seq: 2 },
        { id: 'message_a', at: 1000, text: 'hello', seq: 1 },
      ],
      [{ id: 'reply_1', at: 3000, from: 'team', text: 'Hi!', by: 'ada' }],
      'We are away',
    );
    expect(lines.map((l) => [l.from, l.text, l.auto ?? false])).toEqual([
      ['visitor', 'hello', false],
      ['visitor', 'anyone?', false],
      ['team', 'We are away', true],
      ['team', 'Hi!', false],
    ]);
  });

  it('keeps the away mark only when it is true', () => {
    const base = {
      kind: 'message',
      id: 'message_000000000001',
      visitorId: VISITOR,
      at: 1,
      mailbox: BOX,
      text: 'hi',
    };
    const away = checkCaptureEvent({ ...base, away: true });
    const not = checkCaptureEvent({ ...base, away: 'yes' });
    expect(away.ok && away.value).toMatchObject({ away: true });
    expect(not.ok && 'away' in not.value).toBe(false);
  });
});

describe('a conversation in the list', () => {
  it('previews the latest message of either side, counts what a member has not read, and is activity', () => {
    const lead = withEvents(
      undefined,
      VISITOR,
      [view, said(2, 'first', KEY, 5000), said(3, 'second', KEY, 6000)],
      NO_TEAM_FACTS,
      1,
    );
    if (!lead) throw new Error('no lead');
    expect(lead.row.lastMessage).toEqual({ at: 6000, text: 'second', from: 'visitor' });
    expect(lead.row.lastActivity).toBe(6000);
    expect(unreadFor(lead.row, 'ada')).toBe(2);
    const team = {
      ...NO_TEAM_FACTS,
      messaged: true,
      lastMessage: { at: 7000, text: 'x'.repeat(500) },
      readBy: { ada: 5500 },
    };
    const replied = leadOf(lead.id, lead.facts, team, 2).row;
    expect(replied.lastMessage?.from).toBe('team');
    expect(replied.lastMessage?.text).toHaveLength(140);
    expect(replied.lastActivity).toBe(7000);
    expect(unreadFor(replied, 'ada')).toBe(1);
    expect(unreadFor(replied, 'grace')).toBe(2);
  });
});

describe('a blocked visitor', () => {
  it('has every message after the block dropped and counted, whatever its clock says', () => {
    const lead = withEvents(
      undefined,
      VISITOR,
      [view, said(2, 'hi'), said(3, 'spam', KEY, 1)],
      NO_TEAM_FACTS,
      1,
    );
    if (!lead) throw new Error('no lead');
    const team = { ...NO_TEAM_FACTS, blockedAfter: 2 };
    const blocked = leadOf(lead.id, lead.facts, team, 2);
    const detail = detailOf(blocked, { rules: DEFAULT_RULES });
    expect(detail.conversation.map((m) => m.text)).toEqual(['hi']);
    expect(detail.blocked).toBe(true);
    expect(detail.droppedMessages).toBe(1);
    expect(blocked.row.lastMessage?.text).toBe('hi');
    expect(unreadFor(blocked.row, 'ada')).toBe(1);
  });
});
