/**
 * What the loader hands the chat module when it loads it: the install, the visitor, and the
 * launcher's shadow root to draw in. The chat module announces itself with a DOM event on the
 * document carrying its `mount` (a classic script has no exports, and a cross-origin module
 * import would need CORS headers on every host that serves the widget).
 */
import type { WidgetConfig } from '../../src/core/widget-settings.ts';

export interface ChatInstall {
  workspace: string;
  key: string;
  relay: string;
  visitorId: string;
  /** The launcher's shadow root and button. */
  root: ShadowRoot;
  launcher: HTMLButtonElement;
  /** The visitor clicked the launcher (the panel opens or closes), or only load (unread check). */
  open: boolean;
  /** The verified widget settings, when known (else the defaults). */
  config: WidgetConfig | undefined;
  /** The visitor consented (opened the chat, or the page said so): in consent mode, capture starts. */
  consent: () => void;
}

export type ChatMount = (install: ChatInstall) => void;

export const CHAT_READY = 'converge-leads:chat';
/** Set in the site's storage once the visitor has chatted: later pages load the chat at once. */
export const chattedKey = (workspace: string): string => `converge:${workspace}:chatted`;
