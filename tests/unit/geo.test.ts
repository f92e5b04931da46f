import { describe, expect, it } from 'vitest';
import { countriesOfZone, countryName, countryOf, regionOf } from '../../src/core/geo.ts';

describe('countryOf', () => {
  it.each<{ name: string; tz: string; languages: string[]; country: string | undefined }>([
    { name: 'a one-country zone', tz: 'America/New_York', languages: ['en-US'], country: 'US' },
    {
      name: 'a one-country zone whatever the language',
      tz: 'Europe/Stockholm',
      languages: ['de-DE'],
      country: 'SE',
    },
    {
      name: 'a one-country zone with no languages',
      tz: 'Asia/Tokyo',
      languages: [],
      country: 'JP',
    },
    { name: 'a deprecated alias zone', tz: 'Asia/Calcutta', languages: ['en-IN'], country: 'IN' },
    { name: 'a link zone', tz: 'US/Eastern', languages: [], country: 'US' },
    {
      name: 'a shared zone, language of its primary country',
      tz: 'Europe/Berlin',
      languages: ['de-DE'],
      country: 'DE',
    },
    {
      name: 'a shared zone, Swedish language',
      tz: 'Europe/Berlin',
      languages: ['sv-SE'],
      country: 'SE',
    },
    {
      name: 'a shared zone, Norwegian language',
      tz: 'Europe/Berlin',
      languages: ['nb-NO', 'en'],
      country: 'NO',
    },
    {
      name: 'a shared zone, the first matching language wins',
      tz: 'Europe/Berlin',
      languages: ['en-US', 'da-DK', 'sv-SE'],
      country: 'DK',
    },
    {
      name: 'a shared zone, no tie-break → primary country',
      tz: 'Europe/Berlin',
      languages: ['en-US'],
      country: 'DE',
    },
    {
      name: 'a shared zone, language without region → primary',
      tz: 'Europe/Berlin',
      languages: ['sv'],
      country: 'DE',
    },
    {
      name: 'a shared zone, no languages → primary',
      tz: 'Europe/Zurich',
      languages: [],
      country: 'CH',
    },
    { name: 'Zurich with de-CH', tz: 'Europe/Zurich', languages: ['de-CH'], country: 'CH' },
    { name: 'Zurich with de-LI', tz: 'Europe/Zurich', languages: ['de-LI'], country: 'LI' },
    // Countries the data lists for a zone that is not their main clock do not win on language.
    { name: 'Tokyo with en-AU', tz: 'Asia/Tokyo', languages: ['en-AU'], country: 'JP' },
    { name: 'Zurich with de-DE', tz: 'Europe/Zurich', languages: ['de-DE'], country: 'CH' },
    {
      name: 'Tokyo with en-AU, then ja-JP',
      tz: 'Asia/Tokyo',
      languages: ['en-AU', 'ja-JP'],
      country: 'JP',
    },
    { name: 'Dubai with ar-OM', tz: 'Asia/Dubai', languages: ['ar-OM'], country: 'OM' },
    { name: 'Dubai with en-GB → primary', tz: 'Asia/Dubai', languages: ['en-GB'], country: 'AE' },
    {
      name: 'a language tag with a script',
      tz: 'Asia/Hong_Kong',
      languages: ['zh-Hant-HK'],
      country: 'HK',
    },
    { name: 'Etc/UTC', tz: 'Etc/UTC', languages: ['en-US'], country: undefined },
    { name: 'UTC', tz: 'UTC', languages: ['en-US'], country: undefined },
    { name: 'Etc/GMT+3', tz: 'Etc/GMT+3', languages: ['pt-BR'], country: undefined },
    { name: 'an unknown zone', tz: 'Mars/Olympus_Mons', languages: ['en-US'], country: undefined },
    { name: 'no zone', tz: '', languages: ['de-DE'], country: undefined },
  ])('$name: $tz $languages → $country', ({ tz, languages, country }) => {
    expect(countryOf(tz, languages)).toBe(country);
  });

  it('knows the zones the library shares between countries', () => {
    expect(countriesOfZone('Europe/Berlin')).toEqual(['DE', 'DK', 'NO', 'SE', 'SJ']);
  });
});

describe('regionOf', () => {
  it.each([
    ['de-CH', 'CH'],
    ['en_gb', 'GB'],
    ['zh-Hant-TW', 'TW'],
    ['sr-Latn-RS', 'RS'],
    ['es-419', undefined],
    ['de', undefined],
    ['', undefined],
  ])('%j → %j', (tag, region) => {
    expect(regionOf(tag)).toBe(region);
  });
});

describe('countryName', () => {
  it.each([
    ['DE', 'Germany'],
    ['de', 'Germany'],
    ['CH', 'Switzerland'],
    ['US', 'United States'],
    ['ZZ', ''],
    ['EU', ''],
    ['USA', ''],
    ['', ''],
  ])('%j → %j', (code, name) => {
    expect(countryName(code)).toBe(name);
  });
});
