/**
 * A team reply as the widget reads it: what a teammate (or the auto-reply) wrote, sealed to the
 * visitor (chat-seal.ts) into their mailbox. The widget checks it here before showing it; it
 * imports nothing else of the app's, so this stays small.
 */
import { ID_PATTERN } from './names.ts';

export interface Reply {
  kind: 'reply';
  /** The message's id in the team doc: the widget shows each once. */
  id: string;
  at: number;
  text: string;
  /** The teammate's display name, as the team chose to show it. */
  author: string;
  auto?: boolean;
}

/** The longest reply the widget shows. */
export const REPLY_MAX = 4000;

/** A decrypted reply, checked; undefined for anything else. Never throws. */
export function checkReply(input: unknown): Reply | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const r = input as Partial<Record<keyof Reply, unknown>>;
  if (r.kind !== 'reply' || typeof r.id !== 'string' || !ID_PATTERN.test(r.id)) return undefined;
  if (typeof r.at !== 'number' || !Number.isFinite(r.at) || typeof r.text !== 'string') {
    return undefined;
  }
  const author = typeof r.author === 'string' ? r.author.slice(0, 80) : '';
  const reply: Reply = {
    kind: 'reply',
    id: r.id,
    at: r.at,
    text: r.text.slice(0, REPLY_MAX),
    author,
  };
  if (r.auto === true) reply.auto = true;
  return reply;
}
