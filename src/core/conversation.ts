/**
 * A conversation, in one place: the visitor's side as folded from their chat events (in log
 * order: the first key a visitor wrote with speaks for them, see chat-seal.ts), the team's side
 * as the team doc holds it, and the two in one order, the same on every peer.
 */
import type { LoggedChat } from './facts.ts';
import { compareEvents } from './order.ts';
import { DEFAULT_WIDGET } from './widget-settings.ts';

/** Most recent visitor messages kept in the facts. */
export const MAX_MESSAGES = 500;

/** A message the visitor wrote. */
export interface ChatLine {
  id: string;
  at: number;
  text: string;
  /** Its place in the intake log: what a block is measured against. */
  seq: number;
  /** Nobody on the team was online: the widget answered with the auto-reply. */
  away?: true;
}

/** The visitor's side of the chat. */
export interface ChatFacts {
  /** The public key of the visitor's first chat event: events sealed by another are ignored. */
  key: string;
  /** The mailbox the visitor reads replies from (of their latest event), and that event's seq. */
  mailbox: string;
  mailboxSeq: number;
  /** Oldest first: the most recent MAX_MESSAGES. */
  messages: ChatLine[];
  /** The name they gave last. */
  name?: { value: string; at: number; id: string };
  /** Chat events sealed by another key than theirs, ignored. */
  refused: number;
}

/**
 * Folds chat events, in log order, into a visitor's chat: the first key a visitor wrote with is
 * theirs, their messages are kept once per id, their latest name is their name.
 */
export function foldChat(
  base: ChatFacts | undefined,
  events: readonly LoggedChat[],
): ChatFacts | undefined {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const first = sorted[0];
  if (!first) return base;
  const chat: ChatFacts = base
    ? { ...base, messages: base.messages.slice() }
    : { key: first.from, mailbox: first.mailbox, mailboxSeq: first.seq, messages: [], refused: 0 };
  const known = new Set(chat.messages.map((m) => m.id));
  for (const e of sorted) {
    if (e.from !== chat.key) {
      chat.refused++;
      continue;
    }
    if (e.seq > chat.mailboxSeq) {
      chat.mailbox = e.mailbox;
      chat.mailboxSeq = e.seq;
    }
    if (e.kind === 'message') {
      if (!known.has(e.id)) {
        const line: ChatLine = { id: e.id, at: e.at, text: e.text, seq: e.seq };
        if (e.away) line.away = true;
        chat.messages.push(line);
      }
      known.add(e.id);
    } else if (!chat.name || compareEvents(chat.name, e) < 0) {
      chat.name = { value: e.name, at: e.at, id: e.id };
    }
  }
  chat.messages.sort(compareEvents);
  if (chat.messages.length > MAX_MESSAGES) chat.messages = chat.messages.slice(-MAX_MESSAGES);
  return chat;
}

/**
 * The visitor's messages the team sees: none later in the log than a block (`blockedAfter`:
 * the log's order is the same on every peer; the visitor's clock is not to be trusted).
 */
export function heardMessages(chat: ChatFacts | undefined, blockedAfter?: number): ChatLine[] {
  const said = chat?.messages ?? [];
  return blockedAfter === undefined ? said : said.filter((m) => m.seq <= blockedAfter);
}

/** One message of a conversation, from either side. */
export interface ConversationMessage {
  id: string;
  at: number;
  from: 'visitor' | 'team';
  text: string;
  /** The teammate who wrote it. */
  by?: string;
  /** Sent by the workspace's auto-reply. */
  auto?: boolean;
}

/**
 * Both sides of a conversation in one order, the same on every peer: time, then id. The
 * auto-reply the widget showed a visitor is a line of its own, right after their message.
 */
export function conversationOf(
  visitor: readonly ChatLine[],
  team: readonly ConversationMessage[],
  autoReply = DEFAULT_WIDGET.awayText,
): ConversationMessage[] {
  const lines: ConversationMessage[] = [];
  for (const m of visitor) {
    lines.push({ id: m.id, at: m.at, text: m.text, from: 'visitor' });
    if (m.away)
      lines.push({ id: `${m.id}.auto`, at: m.at, text: autoReply, from: 'team', auto: true });
  }
  return [...lines, ...team].sort(compareEvents);
}
