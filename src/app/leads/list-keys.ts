/**
 * The list's keyboard shortcuts: j/k move, Enter opens, a assigns to me, / searches, Esc closes
 * (or leaves a field), ? shows the help. While typing in a field only Esc counts.
 */
export type ListKey = 'next' | 'previous' | 'open' | 'assign' | 'search' | 'help' | 'escape';

const KEYS: Readonly<Record<string, ListKey>> = {
  j: 'next',
  k: 'previous',
  Enter: 'open',
  a: 'assign',
  '/': 'search',
  '?': 'help',
  Escape: 'escape',
};

export function listKey(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>,
  typing: boolean,
): ListKey | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  const key = KEYS[event.key];
  if (typing && key !== 'escape') return undefined;
  return key;
}
