/**
 * The hand-written checks the widget carries (ledger-claims.ts, widget-schema.ts): what they
 * accept and refuse, field by field. The app checks with the same functions.
 */
import { describe, expect, it } from 'vitest';
import { claimParser, isPublishedChain, parseClaim } from '../../src/core/ledger.ts';
import { isWidgetConfig } from '../../src/core/widget-schema.ts';
import { DEFAULT_WIDGET } from '../../src/core/widget-settings.ts';

const KEY = { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy' };
const MEMBER = { kind: 'member', member: 'm1', name: 'Ada', role: 'agent', key: KEY, at: 5 };
const BOX = 'A'.repeat(87);
const HOURS = { days: [1, 2, 3, 4, 5], opens: '09:00', closes: '17:30', timezone: 'Europe/Paris' };

const widgetOnly = claimParser({ widget: isWidgetConfig });
const text = (value: unknown): string => JSON.stringify(value);

describe('member claims', () => {
  it.each([
    ['a plain record', MEMBER],
    ['an owner', { ...MEMBER, role: 'owner' }],
    ['with an encryption key', { ...MEMBER, box: BOX }],
    ['with entries kept', { ...MEMBER, keep: ['a', 'b'] }],
    ['with fields it does not know', { ...MEMBER, later: 1 }],
    ['an 80-character name', { ...MEMBER, name: 'n'.repeat(80) }],
  ])('accepts %s', (_, claim) => {
    expect(widgetOnly(text(claim))).toEqual(claim);
    expect(parseClaim(text(claim))).toEqual(claim);
  });

  it.each([
    ['no member', { ...MEMBER, member: undefined }],
    ['a numeric member', { ...MEMBER, member: 1 }],
    ['a blank name', { ...MEMBER, name: '  ' }],
    ['an 81-character name', { ...MEMBER, name: 'n'.repeat(81) }],
    ['an unknown role', { ...MEMBER, role: 'boss' }],
    ['no key', { ...MEMBER, key: undefined }],
    ['another curve', { ...MEMBER, key: { ...KEY, crv: 'P-384' } }],
    ['another key type', { ...MEMBER, key: { ...KEY, kty: 'RSA' } }],
    ['a key without y', { ...MEMBER, key: { ...KEY, y: undefined } }],
    ['a short encryption key', { ...MEMBER, box: 'A'.repeat(79) }],
    ['an encryption key with bad characters', { ...MEMBER, box: `${'A'.repeat(86)}=` }],
    ['entries kept that are not ids', { ...MEMBER, keep: [1] }],
    ['too many entries kept', { ...MEMBER, keep: Array.from({ length: 10_001 }, () => 'a') }],
    ['no time', { ...MEMBER, at: undefined }],
    ['a time as text', { ...MEMBER, at: '5' }],
  ])('refuses %s', (_, claim) => {
    expect(widgetOnly(text(claim))).toBeUndefined();
    expect(parseClaim(text(claim))).toBeUndefined();
  });

  it('refuses text that is not a claim', () => {
    for (const junk of ['', 'null', '[]', '5', '"member"', '{', '{"kind":"owner"}']) {
      expect(widgetOnly(junk)).toBeUndefined();
    }
  });
});

describe('setting claims', () => {
  const widget = { kind: 'setting', name: 'widget', value: DEFAULT_WIDGET, at: 9 };

  it('knows only the settings it is given', () => {
    expect(widgetOnly(text(widget))).toEqual(widget);
    const retention = { kind: 'setting', name: 'retentionDays', value: 7, at: 9 };
    expect(widgetOnly(text(retention))).toBeUndefined();
    expect(parseClaim(text(retention))).toEqual(retention);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(parseClaim(text({ ...widget, name }))).toBeUndefined();
    }
  });

  it('needs a time and a value its check accepts', () => {
    expect(widgetOnly(text({ ...widget, at: undefined }))).toBeUndefined();
    expect(widgetOnly(text({ ...widget, value: undefined }))).toBeUndefined();
    expect(widgetOnly(text({ ...widget, value: { ...DEFAULT_WIDGET, colour: 'red' } }))).toBe(
      undefined,
    );
  });

  it('knows removals only when given their check', () => {
    const removal = {
      kind: 'removal',
      member: 'm2',
      epoch: 2,
      tokenHash: 'a'.repeat(64),
      secrets: {},
      at: 9,
    };
    expect(widgetOnly(text(removal))).toBeUndefined();
    expect(parseClaim(text(removal))).toEqual(removal);
  });
});

describe('widget settings', () => {
  it.each([
    ['the defaults', DEFAULT_WIDGET],
    ['with business hours', { ...DEFAULT_WIDGET, hours: HOURS }],
    ['with no days open', { ...DEFAULT_WIDGET, hours: { ...HOURS, days: [] } }],
    [
      'one signed before the later fields existed',
      {
        colour: '#123abc',
        position: 'left',
        greeting: 'Hello',
        namePrompt: 'Name?',
      },
    ],
    [
      'the longest texts',
      { ...DEFAULT_WIDGET, greeting: 'g'.repeat(200), awayText: 'a'.repeat(500) },
    ],
  ])('accepts %s', (_, value) => {
    expect(isWidgetConfig(JSON.parse(text(value)))).toBe(true);
  });

  it.each([
    ['a colour name', { colour: 'red' }],
    ['an upper-case colour', { colour: '#ABCDEF' }],
    ['a colour with a line after it', { colour: '#abcdef\n' }],
    ['a side that is not left or right', { position: 'top' }],
    ['a greeting too long', { greeting: 'g'.repeat(201) }],
    ['a greeting that is not text', { greeting: 5 }],
    ['a name prompt too long', { namePrompt: 'n'.repeat(201) }],
    ['an unknown time to ask the name', { askName: 'sometimes' }],
    ['an away text too long', { awayText: 'a'.repeat(501) }],
    ['a launcher that is not yes or no', { launcher: 'yes' }],
    ['a field it does not know', { script: 'x' }],
    ['an own __proto__ field', JSON.parse('{"__proto__": {"launcher": false}}') as object],
    ['hours as text', { hours: '9-5' }],
    ['a day past Saturday', { hours: { ...HOURS, days: [7] } }],
    ['a day as a fraction', { hours: { ...HOURS, days: [1.5] } }],
    ['eight days', { hours: { ...HOURS, days: [0, 1, 2, 3, 4, 5, 6, 0] } }],
    ['an hour past midnight', { hours: { ...HOURS, closes: '24:00' } }],
    ['an hour without its zero', { hours: { ...HOURS, opens: '9:00' } }],
    ['closing before opening', { hours: { ...HOURS, opens: '18:00' } }],
    ['an unknown timezone', { hours: { ...HOURS, timezone: 'Mars/Olympus' } }],
    ['an extra field in the hours', { hours: { ...HOURS, note: 'x' } }],
  ])('refuses %s', (_, change) => {
    expect(isWidgetConfig(JSON.parse(text({ ...DEFAULT_WIDGET, ...change })))).toBe(false);
  });

  it('refuses what is not an object', () => {
    for (const value of [null, undefined, 5, 'x', [], [DEFAULT_WIDGET]]) {
      expect(isWidgetConfig(value)).toBe(false);
    }
  });
});

describe('published chains', () => {
  it('have entries by id, at most 64', () => {
    expect(isPublishedChain({ entries: [] })).toBe(true);
    expect(isPublishedChain({ entries: [['id', {}]] })).toBe(true);
    expect(isPublishedChain({ entries: Array.from({ length: 64 }, () => ['id', {}]) })).toBe(true);
    for (const bad of [
      null,
      [],
      {},
      { entries: {} },
      { entries: [['id']] },
      { entries: [[1, {}]] },
      { entries: ['id'] },
      { entries: Array.from({ length: 65 }, () => ['id', {}]) },
    ]) {
      expect(isPublishedChain(bad)).toBe(false);
    }
  });
});
