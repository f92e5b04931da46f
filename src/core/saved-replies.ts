/**
 * Saved replies: answers an admin writes once for the whole team, inserted into a reply with
 * `/` or the picker. An admin setting (signed in the ledger, see ledger.ts).
 */
export interface SavedReply {
  id: string;
  /** What the picker shows and `/` matches first. */
  title: string;
  text: string;
}

export const SAVED_REPLIES_MAX = 100;
export const SAVED_TITLE_MAX = 60;
export const SAVED_TEXT_MAX = 4000;

/**
 * The saved replies for what follows a `/`: titles that start with it first, then titles or
 * texts that contain it, each in the admin's order. An empty query lists them all.
 */
export function matchReplies(replies: readonly SavedReply[], query: string): SavedReply[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...replies];
  const starts = replies.filter((r) => r.title.toLowerCase().startsWith(q));
  const contains = replies.filter(
    (r) =>
      !starts.includes(r) &&
      (r.title.toLowerCase().includes(q) || r.text.toLowerCase().includes(q)),
  );
  return [...starts, ...contains];
}
