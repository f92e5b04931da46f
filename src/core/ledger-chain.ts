/**
 * Proving one ledger entry to someone who holds no ledger (the widget, the relay): the entry,
 * and the entries before it that its authority rests on — the member records of its signer and
 * of whoever made them admin, back to the owner whose key the workspace id is the hash of —
 * and, for a removal, those of the member removed and the removals before it. Verified with the
 * ledger's own rules (`LedgerVerifier`), nothing more of the team is needed or shown.
 */
import type { Claim, Entry } from './ledger-claims.ts';

interface Parsed {
  id: string;
  entry: Entry;
  claim: Claim;
}

/** The accepted entries in the ledger's order (accepted: their claims are well-formed). */
function inOrder(accepted: ReadonlyMap<string, Entry>): Parsed[] {
  return [...accepted]
    .map(([id, entry]) => ({ id, entry, claim: JSON.parse(entry.claim) as Claim }))
    .sort((a, b) => a.claim.at - b.claim.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The chain of the latest accepted entry `pick` chooses; undefined when there is none. Only
 * entries before it count (the ledger reads entries in order).
 */
export function chainOf(
  accepted: ReadonlyMap<string, Entry>,
  pick: (claim: Claim) => boolean,
): [string, Entry][] | undefined {
  const parsed = inOrder(accepted);
  const at = parsed.findLastIndex((e) => pick(e.claim));
  const target = parsed[at];
  if (!target) return undefined;
  const before = parsed.slice(0, at);
  const chain = new Map([[target.id, target.entry]]);
  const people = new Set([target.entry.by]);
  // A removal stands on the removed member's record and on every removal before it.
  const needs = (p: Parsed): boolean => {
    if (p.claim.kind === 'member') return people.has(p.claim.member);
    return p.claim.kind === 'removal' && target.claim.kind === 'removal';
  };
  if (target.claim.kind === 'removal') people.add(target.claim.member);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of before) {
      if (chain.has(p.id) || !needs(p)) continue;
      chain.set(p.id, p.entry);
      people.add(p.entry.by);
      if (p.claim.kind === 'removal') people.add(p.claim.member);
      grew = true;
    }
  }
  return [...chain];
}
