/**
 * Every string the chat shows a visitor, in one table — but the greeting, the name prompt and
 * the away text, which are the team's (widget settings).
 */
export const STRINGS = {
  title: 'Chat with us',
  status: 'We typically reply in a few minutes.',
  away: "We're away right now. Leave a message and we'll reply here.",
  awayUntil: (time: string): string => `We're away right now — back at ${time}. Leave a message!`,
  nameLabel: 'Your name',
  nameButton: 'Start chat',
  nameSave: 'Save name',
  messageLabel: 'Message',
  messagePlaceholder: 'Write a message…',
  send: 'Send',
  close: 'Close chat',
  open: 'Open chat',
  unread: (n: number): string => `Open chat, ${n} unread ${n === 1 ? 'message' : 'messages'}`,
  sending: 'Sending…',
  retrying: 'Not sent yet — retrying…',
  sent: 'Sent',
  you: 'You',
  team: 'Team',
  auto: 'Automatic reply',
} as const;

/** The team's status line: answering, away until a time, or away. */
export function statusText(open: boolean | undefined, opensAt?: number): string {
  if (open !== false) return STRINGS.status;
  if (!opensAt) return STRINGS.away;
  return STRINGS.awayUntil(
    new Date(opensAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
  );
}
