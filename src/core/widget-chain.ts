/**
 * The widget settings as published on the relay for the widget: not the settings themselves
 * but the signed ledger entries that prove them — the setting, and the member records that
 * make its signer an admin, back to the owner whose key the workspace id is the hash of. The
 * widget verifies the chain with the ledger's own rules, so a config written by an agent, by the
 * relay or with a link missing is ignored and the widget keeps its defaults.
 */
import { claimParser, isPublishedChain, type Entry, type PublishedChain } from './ledger-claims.ts';
import { chainOf } from './ledger-chain.ts';
import { LedgerVerifier } from './ledger-verifier.ts';
import { isWidgetConfig } from './widget-schema.ts';
import { DEFAULT_WIDGET, type WidgetConfig } from './widget-settings.ts';

export type PublishedWidget = PublishedChain;

/**
 * The chain for the widget setting in force, from the entries the ledger accepted; undefined
 * when no admin ever set one (see ledger-chain.ts): no more of the team is published than the
 * setting's signer and who made them admin.
 */
export function widgetChain(accepted: ReadonlyMap<string, Entry>): PublishedWidget | undefined {
  const entries = chainOf(accepted, (c) => c.kind === 'setting' && c.name === 'widget');
  return entries && { entries };
}

/** Member records and widget settings: all the widget's verifier knows of the ledger. */
const widgetClaims = claimParser({ widget: isWidgetConfig });

/** The widget setting a published chain proves, and when it was signed. */
async function proven(
  workspace: string,
  published: unknown,
): Promise<{ config: WidgetConfig; at: number } | undefined> {
  if (!isPublishedChain(published)) return undefined;
  const verifier = new LedgerVerifier(workspace, widgetClaims, { widget: DEFAULT_WIDGET });
  const team = await verifier.resolve(published.entries);
  let at: number | undefined;
  for (const entry of team.accepted.values()) {
    const claim = widgetClaims(entry.claim);
    if (claim?.kind === 'setting') at = Math.max(at ?? 0, claim.at);
  }
  return at === undefined ? undefined : { config: team.settings.widget, at };
}

/** The widget settings a published chain proves, or undefined when it proves none. */
export async function verifyWidget(
  workspace: string,
  published: unknown,
): Promise<WidgetConfig | undefined> {
  return (await proven(workspace, published))?.config;
}

/**
 * Whether this chain should replace the published one: it proves a newer setting (a member whose
 * ledger has not caught up yet must not roll the widget back), or the published one proves none.
 */
export async function supersedes(
  workspace: string,
  chain: PublishedWidget,
  published: unknown,
): Promise<boolean> {
  const [ours, theirs] = await Promise.all([
    proven(workspace, chain),
    proven(workspace, published),
  ]);
  return ours !== undefined && (theirs === undefined || ours.at > theirs.at);
}
