/**
 * The capture event: what the widget records about a visit and seals to the team. The widget
 * builds these; the app validates every decrypted event here before it touches any state.
 * Everything in an event is visitor-supplied and untrusted: lengths are capped and control
 * characters stripped (SPEC §12). UTMs and click ids are derived from `url` by attribution.ts.
 * The checks are valibot schemas; the widget imports only this file's types, never them.
 */
import { ID_PATTERN } from './names.ts';
import { canonicalHttpUrl } from './canonical-url.ts';
import { LIMITS } from './capture-limits.ts';
import { appReferrer } from './url.ts';

export { LIMITS };
import * as v from 'valibot';

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
  /**
   * `navigator.maxTouchPoints`, when above 0: an iPad in Safari's default desktop mode sends a
   * Mac's user agent, and this is what tells it apart (Macs have no touch screen).
   */
  touch?: number;
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

/** The visitor gave their name in the chat (the lead becomes L2 Engaged). */
export interface VisitorName {
  kind: 'name';
  id: string;
  visitorId: string;
  at: number;
  name: string;
  /** Where the team's replies go: the hash of a capability only the visitor holds. */
  mailbox: string;
}

/** The visitor wrote in the chat (the lead becomes L3 Contacted). */
export interface VisitorMessage {
  kind: 'message';
  id: string;
  visitorId: string;
  at: number;
  text: string;
  mailbox: string;
  /** Nobody on the team was online: the widget answered with the auto-reply. */
  away?: boolean;
}

/** What a visitor says in the chat: sealed by the visitor's own key (see chat-seal.ts). */
export type ChatEvent = VisitorName | VisitorMessage;

export type CaptureEvent = PageView | ExcludedVisit | ChatEvent;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

// Never meaningful in captured text, and able to disguise it: C0/C1 controls and DEL; bidi
// marks, embeddings, overrides and isolates (U+061C, U+200E–F, U+202A–E, U+2066–9); zero-width
// and invisible characters (U+180E, U+200B–D, U+2060–4, the deprecated U+206A–F, U+FEFF).
const INVISIBLE_RE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g;

/** Strips control and invisible characters and caps the length: the one sanitiser for visitor text. */
export function cleanText(value: string, max: number): string {
  const cleaned = value.replace(INVISIBLE_RE, '').trim();
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

// The same, but a message keeps its line breaks (Enter sends, Shift+Enter is a new line).
const INVISIBLE_BUT_NEWLINE_RE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g;

/** A chat message as text: line breaks kept (at most two in a row), the rest as `cleanText`. */
export function cleanMessage(value: string, max: number): string {
  const cleaned = value
    .replace(/\r\n?/g, '\n')
    .replace(INVISIBLE_BUT_NEWLINE_RE, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

/** Keeps only http(s) URLs, as the URL parser writes them; anything else becomes ''. */
export function httpUrl(value: string): string {
  const canonical = canonicalHttpUrl(value);
  if (canonical !== undefined) return canonical;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : '';
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Schemas: each message is what `checkCaptureEvent` answers for the first problem found.

/** An object's own refusals: not an object at all, or a field missing. */
const objectMessage = (subject: string) => (issue: v.ObjectIssue) => {
  const key = issue.path?.[0]?.key;
  return typeof key === 'string' ? `${key} is missing` : `${subject} must be an object`;
};

const text = (field: string, max: number) =>
  v.pipe(
    v.string(`${field} must be a string`),
    v.transform((value) => cleanText(value, max)),
  );

const id = (field: string) =>
  v.pipe(v.string(`${field} is not an id`), v.regex(ID_PATTERN, `${field} is not an id`));

const time = v.pipe(v.number('bad time'), v.finite('bad time'), v.minValue(0, 'bad time'));

const size = (field: string) => {
  const message = `${field} must hold two sizes`;
  return v.pipe(
    v.number(message),
    v.integer(message),
    v.minValue(0, message),
    v.maxValue(100_000, message),
  );
};

const pair = (field: string) =>
  v.pipe(
    v.array(v.unknown(), `${field} must be [w, h]`),
    v.length(2, `${field} must be [w, h]`),
    v.tuple([size(field), size(field)]),
  );

/** A list capped at `max` items before they are checked: the rest is ignored, not refused. */
const capped = <T extends v.GenericSchema>(item: T, max: number, message: string) =>
  v.pipe(
    v.array(v.unknown(), message),
    v.transform((list) => list.slice(0, max)),
    v.array(item),
  );

/** An optional hint: a value of another type is dropped, the event is kept. */
const hint = <T extends v.GenericSchema>(schema: T) => v.optional(v.fallback(schema, undefined));

const brand = v.object(
  { brand: text('brand', LIMITS.hint), version: text('version', 32) },
  objectMessage('brand'),
);

const hintsSchema = v.pipe(
  v.object(
    {
      // Only a list is read; inside it, every brand must be well-formed.
      brands: v.optional(
        v.pipe(
          v.unknown(),
          v.transform((value) => (Array.isArray(value) ? value : undefined)),
          v.optional(capped(brand, LIMITS.brands, 'brands must be a list')),
        ),
      ),
      mobile: hint(v.boolean()),
      platform: hint(text('platform', LIMITS.hint)),
      platformVersion: hint(text('platformVersion', LIMITS.hint)),
      model: hint(text('model', LIMITS.hint)),
    },
    objectMessage('hints'),
  ),
  v.transform(({ brands, mobile, platform, platformVersion, model }) => {
    // Only what was understood: no key stands for a dropped hint.
    const out: ClientHints = {};
    if (brands) out.brands = brands;
    if (mobile !== undefined) out.mobile = mobile;
    if (platform !== undefined) out.platform = platform;
    if (platformVersion !== undefined) out.platformVersion = platformVersion;
    if (model !== undefined) out.model = model;
    return out;
  }),
);

const excludedSchema = v.object(
  {
    kind: v.literal('excluded'),
    id: id('id'),
    at: time,
    reason: v.picklist(['bot', 'automation'], 'bad reason'),
  },
  objectMessage('event'),
);

const pageViewSchema = v.object(
  {
    kind: v.literal('pageview'),
    id: id('id'),
    visitorId: id('visitorId'),
    at: v.pipe(time, v.transform(Math.round)),
    url: v.pipe(text('url', LIMITS.url), v.transform(httpUrl), v.nonEmpty('url must be http(s)')),
    title: text('title', LIMITS.title),
    // An http(s) page, or an Android app (`android-app://com.linkedin.android/`).
    referrer: v.pipe(
      text('referrer', LIMITS.url),
      v.transform((value) => httpUrl(value) || appReferrer(value)),
    ),
    nav: v.picklist(['load', 'spa', 'bfcache'], 'bad nav'),
    tz: text('tz', LIMITS.tz),
    languages: capped(
      text('language', LIMITS.language),
      LIMITS.languages,
      'languages must be a list',
    ),
    ua: text('ua', LIMITS.ua),
    screen: pair('screen'),
    viewport: pair('viewport'),
    hints: v.nullish(hintsSchema),
    // Not worth refusing a visit over: anything but a small whole number is no touch.
    touch: v.optional(
      v.fallback(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)), 0),
    ),
  },
  objectMessage('event'),
);

/** What every chat event carries. */
const chatFields = {
  id: id('id'),
  visitorId: id('visitorId'),
  at: v.pipe(time, v.transform(Math.round)),
  mailbox: id('mailbox'),
};

const nameSchema = v.object(
  {
    kind: v.literal('name'),
    ...chatFields,
    name: v.pipe(text('name', LIMITS.name), v.nonEmpty('name is empty')),
  },
  objectMessage('event'),
);

const messageSchema = v.object(
  {
    kind: v.literal('message'),
    ...chatFields,
    text: v.pipe(
      v.string('text must be a string'),
      v.transform((value) => cleanMessage(value, LIMITS.message)),
      v.nonEmpty('text is empty'),
    ),
    away: v.optional(v.fallback(v.boolean(), false)),
  },
  objectMessage('event'),
);

const STOP_AT_FIRST = { abortEarly: true } as const;

/** Validates and normalises a decrypted event. Never throws. */
export function checkCaptureEvent(input: unknown): Checked<CaptureEvent> {
  if (typeof input !== 'object' || input === null) {
    return { ok: false, error: 'event must be an object' };
  }
  try {
    const kind = (input as { kind?: unknown }).kind;
    if (kind === 'excluded') {
      const result = v.safeParse(excludedSchema, input, STOP_AT_FIRST);
      return result.success
        ? { ok: true, value: result.output }
        : { ok: false, error: result.issues[0].message };
    }
    if (kind === 'name' || kind === 'message') {
      const result = v.safeParse(
        kind === 'name' ? nameSchema : messageSchema,
        input,
        STOP_AT_FIRST,
      );
      if (!result.success) return { ok: false, error: result.issues[0].message };
      if (result.output.kind === 'name') return { ok: true, value: result.output };
      // Only a true `away` is kept: no key stands for a dropped or false one.
      const { away, ...message } = result.output;
      return { ok: true, value: away ? { ...message, away } : message };
    }
    if (kind !== 'pageview') return { ok: false, error: 'unknown event kind' };
    const result = v.safeParse(pageViewSchema, input, STOP_AT_FIRST);
    if (!result.success) return { ok: false, error: result.issues[0].message };
    // No hints (undefined or null) and no touch leave the fields out.
    const { hints, touch, ...view } = result.output;
    return {
      ok: true,
      value: { ...view, ...(hints ? { hints } : {}), ...(touch ? { touch } : {}) },
    };
  } catch {
    // A hostile object (a throwing getter) is refused like any other.
    return { ok: false, error: 'invalid event' };
  }
}
