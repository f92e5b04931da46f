/**
 * What the loader and the settings script (`public/widget-settings.js`) share. The settings
 * script fetches the published widget settings, verifies their chain (widget-chain.ts) and keeps
 * the result in the site's storage; the loader draws the launcher from what was kept, and loads
 * the settings script again when it is missing or old.
 */
import type { WidgetConfig } from '../../src/core/widget-settings.ts';

/** Verified settings as kept in the site's storage. */
export interface KeptSettings {
  /** When they were verified (ms). */
  at: number;
  config: WidgetConfig;
}

export type CheckSettings = (install: {
  workspace: string;
  relay: string;
}) => Promise<WidgetConfig>;

export const SETTINGS_READY = 'converge-leads:settings';
/** How long verified settings are used before they are checked again. */
export const SETTINGS_FRESH_MS = 10 * 60_000;
export const settingsKey = (workspace: string): string => `converge:${workspace}:settings`;
