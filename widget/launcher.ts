/**
 * The launcher: a round button in a shadow root, fixed in a corner — the host's CSS
 * cannot reach it, its own cannot leak, and being fixed it shifts nothing on the page. Its
 * colour, side and visibility come from the verified widget settings (settings/). The chat
 * itself is a separate script, loaded on the first click (or at once for a visitor who has
 * chatted before, so a waiting reply shows its unread badge).
 */
import type { WidgetConfig } from '../src/core/widget-settings.ts';
import { CHAT_READY, chattedKey, type ChatInstall, type ChatMount } from './chat/contract.ts';
import { readItem } from './storage.ts';

// The accent is a custom property on the host (set with setProperty: a value cannot escape it).
const CSS = `button{all:initial;position:fixed;bottom:20px;right:20px;z-index:2147483646;width:56px;height:56px;border-radius:50%;background:var(--c,#4f46e5);display:grid;place-items:center;cursor:pointer;box-shadow:0 4px 14px #0004}:host([side=left])>button{right:auto;left:20px}button[hidden]{display:none}button:focus-visible{outline:3px solid #a5b4fc}svg{width:28px;fill:#fff}b{all:initial;position:absolute;top:0;right:0;padding:0 6px;border-radius:9px;background:#dc2626;color:#fff;font:700 12px/18px sans-serif}b:empty{display:none}`;

/** Loads a script of the widget's that announces itself with a DOM event carrying `T`. */
export function loadScript<T>(src: string, ready: string): Promise<T> {
  return new Promise((resolve, reject) => {
    document.addEventListener(
      ready,
      (e) => {
        resolve((e as CustomEvent<T>).detail);
      },
      { once: true },
    );
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    script.onerror = reject;
    document.head.append(script);
  });
}

export type Look = Pick<WidgetConfig, 'colour' | 'position' | 'launcher'>;

/** Draws the launcher; answers how to restyle it when newer settings are verified. */
export function launcher(
  install: Omit<ChatInstall, 'root' | 'launcher' | 'open' | 'config'>,
  src: string,
  config: WidgetConfig | undefined,
): (config: WidgetConfig) => void {
  const host = document.createElement('converge-leads');
  const root = host.attachShadow({ mode: 'open' });
  // The button's aria-label names it: its icon and badge need no names of their own.
  root.innerHTML = `<style>${CSS}</style><button type="button" aria-label="Open chat" aria-expanded="false"><svg viewBox="0 0 24 24"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg><b></b></button>`;
  const button = root.querySelector('button') as HTMLButtonElement;
  const restyle = (look: Look): void => {
    host.style.setProperty('--c', look.colour);
    host.setAttribute('side', look.position);
    button.hidden = !look.launcher;
  };
  if (config) restyle(config);
  let loading: Promise<ChatMount> | undefined;
  const start = (open: boolean): void => {
    void (loading ??= loadScript<ChatMount>(src, CHAT_READY))
      .then((mount) => {
        mount({ ...install, root, launcher: button, open, config });
      })
      .catch(() => undefined);
  };
  // Every click goes to the chat (it opens or closes): one listener, one toggle.
  button.addEventListener('click', () => {
    start(true);
  });
  document.body.append(host);
  // A visitor who chatted before (a reply may wait), or a page that queued calls for the chat.
  if (readItem(chattedKey(install.workspace)) || 'ConvergeLeads' in window) start(false);
  return (newer) => {
    config = newer;
    restyle(newer);
  };
}
