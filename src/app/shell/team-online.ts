import type { Presence } from '../session/session-status.svelte.ts';

/**
 * The teammates online, one entry per member (a member may have several tabs open: the tab with
 * a lead open wins), by name; this member left out.
 */
export function matesOnline(online: readonly Presence[], me: string): Presence[] {
  const byMember = new Map<string, Presence>();
  for (const p of online) {
    if (p.memberId === me) continue;
    const known = byMember.get(p.memberId);
    if (!known || (!known.viewing && p.viewing)) byMember.set(p.memberId, p);
  }
  return [...byMember.values()].sort((a, b) => a.name.localeCompare(b.name));
}
