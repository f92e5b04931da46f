/**
 * Geography without IP lookups: the visitor's country from their IANA timezone (with their
 * languages breaking ties between countries sharing a zone) and country names (SPEC §5). The
 * visitor's local time is the app's (it ticks on screen).
 */
import { getCountry, getTimezone } from 'countries-and-timezones';
import { regionName } from './region-name.ts';

const zoneCache = new Map<string, readonly string[]>();

/** Countries using a zone, most relevant first (the library's order); [] for none/unknown. */
export function countriesOfZone(timezone: string): readonly string[] {
  let countries = zoneCache.get(timezone);
  if (!countries) {
    countries = timezone ? (getTimezone(timezone)?.countries ?? []) : [];
    if (zoneCache.size >= 1000) zoneCache.clear();
    zoneCache.set(timezone, countries);
  }
  return countries;
}

/** The region subtag of a BCP 47 tag, upper case: `de-CH` → CH, `zh-Hant-TW` → TW. */
export function regionOf(languageTag: string): string | undefined {
  let region = regionCache.get(languageTag);
  if (region === undefined) {
    region = computeRegion(languageTag) ?? '';
    if (regionCache.size >= 1000) regionCache.clear();
    regionCache.set(languageTag, region);
  }
  return region || undefined;
}

const regionCache = new Map<string, string>();

function computeRegion(languageTag: string): string | undefined {
  const parts = languageTag.split(/[-_]/);
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (p.length === 2 && /^[a-z]{2}$/i.test(p)) return p.toUpperCase();
    // Script (4 letters) may precede the region; anything else (variants, 3 digits) ends it.
    if (p.length !== 4) break;
  }
  return undefined;
}

/**
 * Whether a zone is a country's main clock: the zone is named after it (the data lists that
 * country first), or it is the country's only zone. Sweden keeps `Europe/Berlin`'s clock
 * (its own zone is a link to it); Australia, which the data also lists for `Asia/Tokyo` for one
 * outpost, does not, nor Germany for `Europe/Zurich` (Büsingen).
 */
function mainClockOf(country: string, index: number): boolean {
  return index === 0 || getCountry(country)?.timezones.length === 1;
}

/**
 * ISO 3166-1 alpha-2 country of a timezone. A zone used by one country gives that country.
 * A zone shared by several (`Europe/Berlin` → DE, DK, NO, SE, SJ; `Europe/Zurich` → CH, DE, LI)
 * gives the first of the visitor's languages, in their preference order, whose region is one of
 * the countries that keep that zone as their main clock (`sv-SE` → SE; `en-AU` in `Asia/Tokyo`
 * stays JP); else the zone's primary country — the first one the `countries-and-timezones`
 * data lists, which is the country the zone is named after.
 * Zones of no country (`Etc/UTC`, `UTC`, `Etc/GMT+3`) and unknown zones → undefined.
 */
export function countryOf(timezone: string, languages: readonly string[]): string | undefined {
  const countries = countriesOfZone(timezone.trim());
  if (countries.length <= 1) return countries[0];
  for (const language of languages) {
    const region = regionOf(language);
    const index = region ? countries.indexOf(region) : -1;
    if (region && index >= 0 && mainClockOf(region, index)) return region;
  }
  return countries[0];
}

/** English name of a country code (`DE` → Germany); '' for a code that is not a country. */
export function countryName(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(upper)) return '';
  const known = getCountry(upper);
  if (!known) return ''; // not a country (ZZ, EU, UN…)
  return regionName(upper) || known.name;
}
