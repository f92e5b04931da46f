/**
 * The capture event: what the widget records about a visit and seals to the team. The widget
 * builds these; the app validates every decrypted event here before it touches any state.
 * Everything in an event is visitor-supplied and untrusted: lengths are capped and control
 * characters stripped (SPEC §12). UTMs and click ids are derived from `url` by attribution.ts.
 */

/** Client hints from `navigator.userAgentData`, where the browser has them. */
export interface ClientHints {
  brands?: { brand: string; version: string }[];
  mobile?: boolean;
  platform?: string;
  platformVersion?: string;
  model?: string;
}

/** How the page view happened: a full load, an in-page (SPA) navigation, or a bfcache restore. */
export type Navigation = 'load' | 'spa' | 'bfcache';

export interface PageView {
  kind: 'pageview';
  /** Unique event id (base64url, 16 random bytes): ingestion is idempotent on it. */
  id: string;
  /** Random visitor id kept in the host site's first-party storage: one lead per browser. */
  visitorId: string;
  /** Client clock, ms since epoch. */
  at: number;
  url: string;
  title: string;
  referrer: string;
  nav: Navigation;
  /** IANA timezone, e.g. "Europe/Berlin". */
  tz: string;
  languages: string[];
  ua: string;
  hints?: ClientHints;
  /** [width, height] in CSS pixels. */
  screen: [number, number];
  viewport: [number, number];
}

/**
 * A visit the widget excluded (crawler, automation, headless browser). Counted by the app,
 * never stored as a lead: it carries no visitor id and nothing about the page.
 */
export interface ExcludedVisit {
  kind: 'excluded';
  id: string;
  at: number;
  reason: 'bot' | 'automation';
}

export type CaptureEvent = PageView | ExcludedVisit;

export const LIMITS = {
  id: 64,
  url: 2048,
  title: 300,
  tz: 64,
  language: 35,
  languages: 10,
  ua: 512,
  hint: 100,
  brands: 10,
} as const;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const ID_RE = /^[A-Za-z0-9_-]{16,64}$/;
// C0/C1 controls, DEL, bidi overrides and zero-width marks: never meaningful in captured text.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Strips control characters and caps the length: the one sanitiser for visitor text. */
export function cleanText(value: string, max: number): string {
  const cleaned = value.replace(CONTROL_RE, '').trim();
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

class Invalid extends Error {}

function str(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw new Invalid(`${field} must be a string`);
  return cleanText(value, max);
}

function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ID_RE.test(value)) throw new Invalid(`${field} is not an id`);
  return value;
}

function pair(value: unknown, field: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) throw new Invalid(`${field} must be [w, h]`);
  const [w, h] = value as unknown[];
  if (!isSize(w) || !isSize(h)) throw new Invalid(`${field} must hold two sizes`);
  return [w, h];
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 100_000;
}

/** Keeps only http(s) URLs; anything else (javascript:, data:, junk) becomes ''. */
export function httpUrl(value: string): string {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : '';
  } catch {
    return '';
  }
}

function hints(value: unknown): ClientHints | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw new Invalid('hints must be an object');
  const h = value as Record<string, unknown>;
  const out: ClientHints = {};
  if (Array.isArray(h.brands)) {
    out.brands = h.brands.slice(0, LIMITS.brands).map((b: unknown) => {
      const r = (b ?? {}) as Record<string, unknown>;
      return { brand: str(r.brand, 'brand', LIMITS.hint), version: str(r.version, 'version', 32) };
    });
  }
  if (typeof h.mobile === 'boolean') out.mobile = h.mobile;
  for (const key of ['platform', 'platformVersion', 'model'] as const) {
    if (typeof h[key] === 'string') out[key] = cleanText(h[key], LIMITS.hint);
  }
  return out;
}

/** Validates and normalises a decrypted event. Never throws. */
export function checkCaptureEvent(input: unknown): Checked<CaptureEvent> {
  try {
    if (typeof input !== 'object' || input === null) throw new Invalid('event must be an object');
    const e = input as Record<string, unknown>;
    const at = e.at;
    if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) throw new Invalid('bad time');
    if (e.kind === 'excluded') {
      if (e.reason !== 'bot' && e.reason !== 'automation') throw new Invalid('bad reason');
      return { ok: true, value: { kind: 'excluded', id: id(e.id, 'id'), at, reason: e.reason } };
    }
    if (e.kind !== 'pageview') throw new Invalid('unknown event kind');
    const url = httpUrl(str(e.url, 'url', LIMITS.url));
    if (!url) throw new Invalid('url must be http(s)');
    const nav = e.nav;
    if (nav !== 'load' && nav !== 'spa' && nav !== 'bfcache') throw new Invalid('bad nav');
    if (!Array.isArray(e.languages)) throw new Invalid('languages must be a list');
    const event: PageView = {
      kind: 'pageview',
      id: id(e.id, 'id'),
      visitorId: id(e.visitorId, 'visitorId'),
      at: Math.round(at),
      url,
      title: str(e.title, 'title', LIMITS.title),
      referrer: httpUrl(str(e.referrer, 'referrer', LIMITS.url)),
      nav,
      tz: str(e.tz, 'tz', LIMITS.tz),
      languages: e.languages
        .slice(0, LIMITS.languages)
        .map((l) => str(l, 'language', LIMITS.language)),
      ua: str(e.ua, 'ua', LIMITS.ua),
      screen: pair(e.screen, 'screen'),
      viewport: pair(e.viewport, 'viewport'),
    };
    const h = hints(e.hints);
    if (h) event.hints = h;
    return { ok: true, value: event };
  } catch (err) {
    return { ok: false, error: err instanceof Invalid ? err.message : 'invalid event' };
  }
}
