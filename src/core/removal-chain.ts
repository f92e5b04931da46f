/**
 * A removal as the relay is shown it (see ledger-chain.ts): the removal, and the entries its
 * authority rests on. The relay switches the workspace's read token to the removal's only when
 * the chain proves it — signed by the owner or an admin, back to the owner whose key the
 * workspace id is the hash of — and keeps the chain for members who were away, who open their
 * new secret from it (see member-box.ts).
 */
import {
  claimParser,
  isPublishedChain,
  LedgerVerifier,
  removalClaimCheck,
  type Entry,
  type PublishedChain,
  type RemovalClaim,
} from './ledger.ts';
import { chainOf } from './ledger-chain.ts';

/** The chain of the latest removal the ledger accepted; undefined when there was none. */
export function removalChain(accepted: ReadonlyMap<string, Entry>): PublishedChain | undefined {
  const entries = chainOf(accepted, (c) => c.kind === 'removal');
  return entries && { entries };
}

const removalClaims = claimParser({}, removalClaimCheck());

/** The latest removal a chain proves, with the team secret's number it makes; or undefined. */
export async function verifyRemoval(
  workspace: string,
  published: unknown,
): Promise<RemovalClaim | undefined> {
  if (!isPublishedChain(published)) return undefined;
  // Only removals and member records count here: no setting is read.
  const verifier = new LedgerVerifier(workspace, removalClaims, {});
  return (await verifier.resolve(published.entries)).removal;
}
