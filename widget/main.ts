/**
 * The website widget: installed with one script tag, it turns each visitor into a lead. It
 * records page views (full loads, single-page-app navigations, back-forward-cache restores),
 * seals each one to the workspace's intake key in the visitor's browser, and hands it to the
 * outbox. It draws the chat launcher (launcher.ts); the chat loads when it is first opened.
 * Nothing it does may disturb the host page: every entry point swallows its errors.
 *
 * <script async src=".../widget.js" data-workspace="…" data-key="…" data-relay="https://…">
 */
import { randomId } from '../src/core/bytes.ts';
import type { CaptureEvent, Navigation } from '../src/core/capture.ts';
import type { WidgetConfig } from '../src/core/widget-settings.ts';
import { ID_PATTERN, storageKey } from '../src/core/names.ts';
import { seal } from '../src/core/seal.ts';
import { exclusionReason } from './exclusion.ts';
import { launcher, loadScript } from './launcher.ts';
import { Outbox } from './outbox.ts';
import { pageView, placeNow } from './page-view.ts';
import {
  SETTINGS_FRESH_MS,
  SETTINGS_READY,
  settingsKey,
  type CheckSettings,
  type KeptSettings,
} from './settings/contract.ts';
import { holdWrites, readItem, releaseWrites, writeItem } from './storage.ts';

interface Install {
  workspace: string;
  key: string;
  relay: string;
  /**
   * `data-consent`: "required" — record nothing (no storage, no event) until the visitor opens
   * the chat or the page calls `ConvergeLeads('consent')`; "gpc" — the same, for visitors whose
   * browser sends Global Privacy Control.
   */
  consentMode: string | undefined;
}

function installOf(script: HTMLOrSVGScriptElement | null): Install | undefined {
  const data = script instanceof HTMLScriptElement ? script.dataset : undefined;
  const { workspace, key, relay, consent } = data ?? {};
  if (!workspace || !ID_PATTERN.test(workspace) || !key || !relay) return undefined;
  return { workspace, key, relay: relay.replace(/\/+$/, ''), consentMode: consent };
}

/** Whether this visit waits for the visitor's consent before anything is recorded. */
function waitsForConsent(install: Install): boolean {
  const gpc = (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  const asked = install.consentMode === 'required' || (install.consentMode === 'gpc' && gpc);
  return asked && readItem(storageKey.consent(install.workspace)) !== 'granted';
}

/** One lead per browser: a random id in the site's storage, or for this page's life if blocked. */
function visitorId(workspace: string): string {
  const key = storageKey.visitor(workspace);
  const known = readItem(key);
  if (known && ID_PATTERN.test(known)) return known;
  const id = randomId();
  writeItem(key, id);
  return id;
}

/** Runs `fn` so that nothing it throws or rejects with reaches the host page. */
function guard(fn: () => unknown): void {
  try {
    const result = fn();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // The host page comes first.
  }
}

/** Settings the settings script verified before, if the site's storage has them. */
function keptSettings(workspace: string): KeptSettings | undefined {
  try {
    const kept = JSON.parse(readItem(settingsKey(workspace)) ?? '') as KeptSettings;
    return kept.config.colour ? kept : undefined;
  } catch {
    return undefined;
  }
}

function start(install: Install, src: (script: string) => string): void {
  // Consent mode: until consent, storage writes and events wait in memory (this page only).
  const held = waitsForConsent(install);
  if (held) holdWrites();
  const outbox = new Outbox(
    `${install.relay}/v1/intake/${encodeURIComponent(install.workspace)}`,
    storageKey.outbox(install.workspace),
  );
  outbox.held = held;
  const consent = (): void => {
    if (!outbox.held) return;
    releaseWrites();
    writeItem(storageKey.consent(install.workspace), 'granted');
    outbox.held = false;
    void outbox.flush();
  };
  const record = async (event: CaptureEvent): Promise<void> => {
    const sealed = await seal(install.key, JSON.stringify(event), install.workspace);
    outbox.add({ id: event.id, sealed });
  };

  const excluded = exclusionReason();
  if (excluded) {
    guard(() => record({ kind: 'excluded', id: randomId(), at: Date.now(), reason: excluded }));
    return;
  }

  const visitor = visitorId(install.workspace);
  // The page a visitor is on: the path, and on a hash-routed site the hash route's path
  // (`#/pricing`, `#!/pricing`); an in-page anchor (`#faq`) leaves the page as it was.
  const routeOf = (): string | undefined =>
    /^#!?\//.test(location.hash) ? location.hash.split('?')[0] : undefined;
  let path = location.pathname;
  let route = routeOf() ?? '';
  let lastUrl = location.href;
  const view = (nav: Navigation, referrer: string): void => {
    lastUrl = location.href;
    const place = placeNow();
    // The rest in a task of its own: a cold browser's first timezone read (ICU) alone can take
    // 15–30 ms, and the host page's own script is running now.
    setTimeout(() => {
      guard(() => record(pageView(visitor, nav, referrer, place)));
    }, 0);
  };

  // In-page navigations count only when the page changes (not for an anchor or a query tweak).
  const navigated = (): void => {
    const now = routeOf();
    if (location.pathname === path && (now === undefined || now === route)) return;
    route = location.pathname === path ? (now ?? route) : (now ?? '');
    path = location.pathname;
    // Within the site the previous page is the referrer; the first page keeps the real one.
    const from = lastUrl;
    // Routers set the new title just after pushState: read it once they have.
    setTimeout(() => {
      view('spa', from);
    }, 0);
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method].bind(history);
    history[method] = (...args: Parameters<History['pushState']>): void => {
      original(...args);
      guard(navigated);
    };
  }
  const on = <K extends keyof WindowEventMap>(type: K, fn: (e: WindowEventMap[K]) => unknown) => {
    window.addEventListener(type, (e) => {
      guard(() => fn(e));
    });
  };
  on('popstate', navigated);
  on('hashchange', navigated);
  on('pageshow', (e) => {
    if (e.persisted) view('bfcache', document.referrer);
  });
  // Last chance before the page goes away: keepalive lets the request outlive it.
  on('pagehide', () => outbox.flush(true));
  on('online', () => outbox.flush());

  view('load', document.referrer);
  const draw = (): void => {
    guard(() => {
      const kept = keptSettings(install.workspace);
      const look = (config?: WidgetConfig) =>
        launcher({ ...install, visitorId: visitor, consent }, src('chat'), config);
      let restyle = kept && look(kept.config);
      if (kept && Date.now() - kept.at < SETTINGS_FRESH_MS) return;
      // None verified yet, or old: check what the team published (the launcher waits the first
      // time, so a hidden or recoloured launcher never shows in the defaults first).
      loadScript<CheckSettings>(src('settings'), SETTINGS_READY)
        .then((check) => check(install))
        .then(
          (config) => {
            if (restyle) restyle(config);
            else restyle = look(config);
          },
          () => {
            restyle ??= look();
          },
        );
    });
  };
  // In a task of its own (the page view's work is enough for one); an async script may run
  // before the body exists (a script in the head).
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else setTimeout(draw, 0);
}

guard(() => {
  const script = document.currentScript;
  const install = installOf(script);
  if (
    install &&
    script instanceof HTMLScriptElement &&
    typeof crypto !== 'undefined' &&
    'subtle' in crypto
  ) {
    // The chat and settings scripts sit beside this one.
    start(install, (name) => new URL(`widget-${name}.js`, script.src).href);
  }
});
