/**
 * The settings script: fetches the widget settings the team published on the relay, verifies
 * the chain of signatures back to the workspace's owner, and keeps what it proves. Anything
 * that does not verify — written by an agent or by the relay, or with a link missing — is
 * ignored: the widget uses its defaults.
 */
import { verifyWidget } from '../../src/core/widget-chain.ts';
import { DEFAULT_WIDGET, type WidgetConfig } from '../../src/core/widget-settings.ts';
import { writeItem } from '../storage.ts';
import { SETTINGS_READY, settingsKey, type CheckSettings, type KeptSettings } from './contract.ts';

async function published(relay: string, workspace: string): Promise<unknown> {
  const res = await fetch(`${relay}/v1/workspaces/${encodeURIComponent(workspace)}/widget`, {
    credentials: 'omit',
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`relay answered ${res.status}`);
  return res.json();
}

const check: CheckSettings = async ({ workspace, relay }) => {
  // Unreachable relay: nothing is kept, so the next page asks again.
  const body = await published(relay, workspace);
  const config: WidgetConfig = (await verifyWidget(workspace, body)) ?? DEFAULT_WIDGET;
  const kept: KeptSettings = { at: Date.now(), config };
  writeItem(settingsKey(workspace), JSON.stringify(kept));
  return config;
};

document.dispatchEvent(new CustomEvent(SETTINGS_READY, { detail: check }));
