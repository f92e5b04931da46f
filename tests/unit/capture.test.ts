import { describe, expect, it } from 'vitest';
import {
  checkCaptureEvent,
  cleanText,
  httpUrl,
  LIMITS,
  type CaptureEvent,
} from '../../src/core/capture.ts';
import { pageView } from '../page-view.ts';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const VISITOR = 'BBBBBBBBBBBBBBBBBBBBBB';
const view = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...pageView({ id: ID, visitorId: VISITOR, at: 1_700_000_000_000 }),
  ...fields,
});

function accepted(input: unknown): CaptureEvent {
  const checked = checkCaptureEvent(input);
  if (!checked.ok) throw new Error(`refused: ${checked.error}`);
  return checked.value;
}

describe('checkCaptureEvent', () => {
  it('accepts a page view as the widget sends it', () => {
    const event = view({
      hints: { brands: [{ brand: 'Chromium', version: '131' }], mobile: false, platform: 'macOS' },
    });
    expect(accepted(event)).toEqual(event);
  });

  it('normalises: rounds the time, canonicalises the URL, drops unknown fields', () => {
    const event = accepted(
      view({ at: 1.6, url: 'HTTPS://Site.Example/a b', referrer: 'ftp://x/', extra: 'x' }),
    );
    expect(event).toMatchObject({ at: 2, url: 'https://site.example/a%20b', referrer: '' });
    expect(event).not.toHaveProperty('extra');
  });

  it('keeps the touch points when there are some, and drops a value that is not one', () => {
    expect(accepted(view({ touch: 5 }))).toMatchObject({ touch: 5 });
    expect(accepted(view({ touch: 0 }))).not.toHaveProperty('touch');
    expect(accepted(view({ touch: 'many' }))).not.toHaveProperty('touch');
    expect(accepted(view({ touch: 1e9 }))).not.toHaveProperty('touch');
  });

  it('keeps an Android app as the referrer, reduced to the app', () => {
    expect(
      accepted(view({ referrer: 'android-app://com.linkedin.android/some/path' })),
    ).toMatchObject({ referrer: 'android-app://com.linkedin.android/' });
    expect(accepted(view({ referrer: 'javascript:alert(1)' }))).toMatchObject({ referrer: '' });
  });

  it('cleans and caps visitor text', () => {
    const event = accepted(
      view({
        title: `  Pri\u0000cing\u202e ${'x'.repeat(500)}`,
        ua: 'u'.repeat(1000),
        languages: Array.from({ length: 20 }, (_, i) => `l${String(i)}-${'x'.repeat(40)}`),
      }),
    );
    if (event.kind !== 'pageview') throw new Error('not a page view');
    expect(event.title.startsWith('Pricing x')).toBe(true);
    expect(event.title).toHaveLength(LIMITS.title);
    expect(event.ua).toHaveLength(LIMITS.ua);
    expect(event.languages).toHaveLength(LIMITS.languages);
    for (const language of event.languages) expect(language).toHaveLength(LIMITS.language);
  });

  it('keeps only the client hints it understands, capped', () => {
    const event = accepted(
      view({
        hints: {
          brands: Array.from({ length: 15 }, () => ({
            brand: 'b'.repeat(200),
            version: '1',
            x: 1,
          })),
          mobile: 'yes',
          platform: 7,
          model: ' Pixel\u0007 ',
          other: 'x',
        },
      }),
    );
    if (event.kind !== 'pageview') throw new Error('not a page view');
    expect(event.hints?.brands).toHaveLength(LIMITS.brands);
    expect(event.hints?.brands?.[0]).toEqual({ brand: 'b'.repeat(LIMITS.hint), version: '1' });
    expect(event.hints).toEqual({ brands: event.hints?.brands, model: 'Pixel' });
  });

  it('ignores missing or null hints and brands that are not a list', () => {
    expect(accepted(view({ hints: null }))).not.toHaveProperty('hints');
    expect(accepted(view({ hints: undefined }))).not.toHaveProperty('hints');
    expect(accepted(view({ hints: { brands: 'Chrome' } }))).toMatchObject({ hints: {} });
  });

  it('accepts an excluded visit, keeping nothing else', () => {
    expect(
      accepted({ kind: 'excluded', id: ID, at: 5.5, reason: 'bot', url: 'https://x.example/' }),
    ).toEqual({ kind: 'excluded', id: ID, at: 5.5, reason: 'bot' });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'pageview', 'event must be an object'],
    ['null', null, 'event must be an object'],
    ['an unknown kind', view({ kind: 'click' }), 'unknown event kind'],
    ['no time', view({ at: undefined }), 'bad time'],
    ['a negative time', view({ at: -1 }), 'bad time'],
    ['an infinite time', view({ at: Infinity }), 'bad time'],
    ['a time as text', view({ at: '1700000000000' }), 'bad time'],
    ['a short id', view({ id: 'abc' }), 'id is not an id'],
    ['an id with other characters', view({ id: `${ID}!` }), 'id is not an id'],
    ['no visitor id', view({ visitorId: undefined }), 'visitorId is not an id'],
    ['a URL that is not text', view({ url: 5 }), 'url must be a string'],
    ['a javascript: URL', view({ url: 'javascript:alert(1)' }), 'url must be http(s)'],
    ['a relative URL', view({ url: '/pricing' }), 'url must be http(s)'],
    ['no title', view({ title: undefined }), 'title must be a string'],
    ['a referrer that is not text', view({ referrer: null }), 'referrer must be a string'],
    ['an unknown navigation', view({ nav: 'reload' }), 'bad nav'],
    ['no timezone', view({ tz: 3 }), 'tz must be a string'],
    ['languages as text', view({ languages: 'de-DE' }), 'languages must be a list'],
    ['a language that is not text', view({ languages: ['de', 5] }), 'language must be a string'],
    ['no user agent', view({ ua: undefined }), 'ua must be a string'],
    ['a screen of one number', view({ screen: [1] }), 'screen must be [w, h]'],
    ['a screen of three numbers', view({ screen: [1, 2, 3] }), 'screen must be [w, h]'],
    ['a fractional size', view({ screen: [1.5, 2] }), 'screen must hold two sizes'],
    ['a negative size', view({ viewport: [-1, 2] }), 'viewport must hold two sizes'],
    ['a huge size', view({ viewport: [1, 100_001] }), 'viewport must hold two sizes'],
    ['hints as text', view({ hints: 'mobile' }), 'hints must be an object'],
    [
      'a brand that is not text',
      view({ hints: { brands: [{ brand: 1 }] } }),
      'brand must be a string',
    ],
    [
      'a brand version that is not text',
      view({ hints: { brands: [{ brand: 'x', version: 1 }] } }),
      'version must be a string',
    ],
    [
      'an excluded visit for an unknown reason',
      { kind: 'excluded', id: ID, at: 1, reason: 'human' },
      'bad reason',
    ],
    ['an excluded visit for no reason', { kind: 'excluded', id: ID, at: 1 }, 'reason is missing'],
    [
      'an excluded visit without an id',
      { kind: 'excluded', at: 1, reason: 'automation' },
      'id is missing',
    ],
    [
      'a page view without a URL',
      { kind: 'pageview', id: ID, visitorId: VISITOR, at: 1 },
      'url is missing',
    ],
    ['no kind', { id: ID, at: 1 }, 'unknown event kind'],
    ['a list', [view()], 'unknown event kind'],
    ['a brand that is not an object', view({ hints: { brands: [5] } }), 'brand must be an object'],
  ])('refuses %s: %j', (_name, input, error) => {
    expect(checkCaptureEvent(input)).toEqual({ ok: false, error });
  });

  it('never throws, whatever it is given', () => {
    const hostile = {
      kind: 'pageview',
      get id(): string {
        throw new Error('boom');
      },
    };
    expect(checkCaptureEvent(hostile)).toEqual({ ok: false, error: 'invalid event' });
  });
});

describe('cleanText', () => {
  it('strips C0 and C1 controls and DEL, trims, then caps', () => {
    expect(cleanText('  a\u0000b\u001fc\u007fd\u0085e\u009f  ', 100)).toBe('abcde');
    expect(cleanText('abcdef', 3)).toBe('abc');
  });

  it.each([
    ['U+061C arabic letter mark', '\u061c'],
    ['U+180E mongolian vowel separator', '\u180e'],
    ['U+200B zero width space', '\u200b'],
    ['U+200C zero width non-joiner', '\u200c'],
    ['U+200D zero width joiner', '\u200d'],
    ['U+200E left-to-right mark', '\u200e'],
    ['U+200F right-to-left mark', '\u200f'],
    ['U+202A left-to-right embedding', '\u202a'],
    ['U+202B right-to-left embedding', '\u202b'],
    ['U+202C pop directional formatting', '\u202c'],
    ['U+202D left-to-right override', '\u202d'],
    ['U+202E right-to-left override', '\u202e'],
    ['U+2060 word joiner', '\u2060'],
    ['U+2061 function application', '\u2061'],
    ['U+2062 invisible times', '\u2062'],
    ['U+2063 invisible separator', '\u2063'],
    ['U+2064 invisible plus', '\u2064'],
    ['U+2066 left-to-right isolate', '\u2066'],
    ['U+2067 right-to-left isolate', '\u2067'],
    ['U+2068 first strong isolate', '\u2068'],
    ['U+2069 pop directional isolate', '\u2069'],
    ['U+206A inhibit symmetric swapping', '\u206a'],
    ['U+206B activate symmetric swapping', '\u206b'],
    ['U+206C inhibit arabic form shaping', '\u206c'],
    ['U+206D activate arabic form shaping', '\u206d'],
    ['U+206E national digit shapes', '\u206e'],
    ['U+206F nominal digit shapes', '\u206f'],
    ['U+FEFF zero width no-break space', '\ufeff'],
  ])('strips %s', (_name, char) => {
    expect(cleanText(`pay${char}pal`, 100)).toBe('paypal');
  });

  it('keeps ordinary text, accents and emoji', () => {
    expect(cleanText('Café Zoë – 東京 🚀', 100)).toBe('Café Zoë – 東京 🚀');
  });
});

describe('httpUrl', () => {
  it.each([
    ['https://site.example/a', 'https://site.example/a'],
    ['HTTP://Site.Example', 'http://site.example/'],
    ['javascript:alert(1)', ''],
    ['data:text/html,x', ''],
    ['ftp://site.example/', ''],
    ['/relative', ''],
    ['', ''],
  ])('%j → %j', (value, url) => {
    expect(httpUrl(value)).toBe(url);
  });
});
