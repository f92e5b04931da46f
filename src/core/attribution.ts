/**
 * Attribution: how a visitor reached the site. Parses UTMs and ad click ids from a landing URL,
 * decides whether a visit came from paid ads, and sorts a touch into a channel with GA4's
 * default channel grouping (SPEC §5), knowing well-known sources (known-sources.ts).
 *
 * Everything here is visitor-supplied text: values are cleaned with `cleanText` and capped.
 */
import { cleanText } from './capture.ts';
import {
  AD_CLICK_IDS,
  CLICK_IDS,
  UTM_FIELDS,
  type Channel,
  type ClickId,
  type ClickIds,
  type Utm,
  type UtmField,
} from './utm.ts';
import { knownSource } from './known-sources.ts';
import {
  decodeQueryComponent,
  forEachParam,
  hostSite,
  referrerHost,
  siteOf,
  splitUrl,
} from './url.ts';

/** Longest UTM value kept; longer values are cut (they are shown, never trusted). */
export const UTM_MAX = 200;
/** Longest click id kept (real ones are 20–150 characters). */
export const CLICK_ID_MAX = 256;

const UTM_BY_PARAM = new Map<string, UtmField>(UTM_FIELDS.map((f) => [`utm_${f}`, f]));
const CLICK_ID_BY_PARAM = new Map<string, ClickId>(CLICK_IDS.map((id) => [id.toLowerCase(), id]));

/** UTMs and click ids of one landing URL, parsed in a single pass. */
export interface UrlAttribution {
  utm: Utm;
  clickIds: ClickIds;
}

/** Parses UTMs and click ids from a query string (without '?'). First non-empty value wins. */
export function attributionOfQuery(query: string): UrlAttribution {
  const utm: Utm = {};
  const clickIds: ClickIds = {};
  forEachParam(query, (name, raw) => {
    const field = UTM_BY_PARAM.get(name);
    if (field !== undefined) {
      if (utm[field] === undefined) {
        const value = cleanText(decodeQueryComponent(raw), UTM_MAX);
        if (value) utm[field] = value;
      }
      return;
    }
    const id = CLICK_ID_BY_PARAM.get(name);
    if (id !== undefined && clickIds[id] === undefined) {
      const value = cleanText(decodeQueryComponent(raw), CLICK_ID_MAX);
      if (value) clickIds[id] = value;
    }
  });
  return { utm, clickIds };
}

/** UTMs and click ids of a landing URL (names case-insensitive, values cleaned). */
export function attributionOf(url: string): UrlAttribution {
  const parts = splitUrl(url);
  return parts ? attributionOfQuery(parts.query) : { utm: {}, clickIds: {} };
}

export function hasUtm(utm: Utm): boolean {
  for (const field of UTM_FIELDS) if (utm[field]) return true;
  return false;
}

// GA4's paid medium: cpc, ppc, cpm, cpv, cpa, paid_social, paidsearch, retargeting…
const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/i;

export function isPaidMedium(medium: string | undefined): boolean {
  return medium !== undefined && PAID_MEDIUM.test(medium);
}

/** Paid = an ads-only click id, or a paid utm_medium. `fbclid` alone is not paid. */
export function isPaid(utm: Utm, clickIds: ClickIds): boolean {
  for (const id of AD_CLICK_IDS) if (clickIds[id]) return true;
  return isPaidMedium(utm.medium);
}

// ---------------------------------------------------------------------------------------------
// Referrers and source domain

/**
 * Host of the first source page without a leading `www.` ('' for no or a bad URL). The `www.`
 * goes only when it is a subdomain: `www.github.io` is someone's site of its own.
 */
export function sourceDomain(firstUrl: string): string {
  const host = splitUrl(firstUrl)?.host ?? '';
  if (!host.startsWith('www.')) return host;
  const { subdomain } = hostSite(host);
  return subdomain === 'www' || subdomain.startsWith('www.') ? host.slice(4) : host;
}

/**
 * True when the referrer is another site than the page: `www.` and bare, and subdomains of one
 * registrable domain, count as the same site (internal navigation). Empty referrer → false.
 */
export function isExternalReferrer(referrer: string, pageUrl: string): boolean {
  return isExternalHost(referrerHost(referrer), splitUrl(pageUrl)?.host ?? '');
}

/** `isExternalReferrer` on hosts already split out (pageHost '' = unknown page → external). */
export function isExternalHost(referrerHost: string, pageHost: string): boolean {
  if (!referrerHost) return false;
  if (referrerHost === pageHost) return false;
  return !pageHost || siteOf(referrerHost) !== siteOf(pageHost);
}

// ---------------------------------------------------------------------------------------------
// Channels

/** Source and medium a click id implies when the URL has no UTMs (GA4 auto-tagging). */
const CLICK_ID_SOURCE: Readonly<Record<ClickId, { source: string; medium?: string }>> = {
  gclid: { source: 'google', medium: 'cpc' },
  gbraid: { source: 'google', medium: 'cpc' },
  wbraid: { source: 'google', medium: 'cpc' },
  dclid: { source: 'google', medium: 'display' },
  msclkid: { source: 'bing', medium: 'cpc' },
  fbclid: { source: 'facebook' },
  li_fat_id: { source: 'linkedin', medium: 'cpc' },
  ttclid: { source: 'tiktok', medium: 'cpc' },
  twclid: { source: 'twitter', medium: 'cpc' },
  yclid: { source: 'yandex', medium: 'cpc' },
  rdt_cid: { source: 'reddit', medium: 'cpc' },
  ScCid: { source: 'snapchat', medium: 'cpc' },
};

const DISPLAY_MEDIA = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm']);
const SOCIAL_MEDIA = new Set([
  'social',
  'social-network',
  'social-media',
  'sm',
  'social network',
  'social media',
]);
const EMAIL_VALUES = new Set(['email', 'e-mail', 'e_mail', 'e mail']);
const REFERRAL_MEDIA = new Set(['referral', 'app', 'link']);
const AFFILIATE_MEDIA = new Set(['affiliate', 'affiliates']);

/** The source and medium GA4 would record for a touch (lower case; '' for none). */
export interface SourceMedium {
  source: string;
  medium: string;
  campaign: string;
}

/**
 * Source = utm_source, else the external referrer's host, else what a click id implies
 * (gclid → google). Medium = utm_medium, else the click id's (cpc), else `organic` for a search
 * engine referrer, `referral` for another external referrer, '' for none.
 */
export function sourceMediumOf(touch: { url: string; referrer: string }): SourceMedium {
  const { utm, clickIds } = attributionOf(touch.url);
  const refHost = isExternalReferrer(touch.referrer, touch.url) ? referrerHost(touch.referrer) : '';
  let implied: { source: string; medium?: string } | undefined;
  for (const id of CLICK_IDS) {
    if (clickIds[id]) {
      implied = CLICK_ID_SOURCE[id];
      break;
    }
  }
  const source = (utm.source ?? '').toLowerCase() || refHost || implied?.source || '';
  let medium = (utm.medium ?? '').toLowerCase() || implied?.medium || '';
  if (!medium && refHost) medium = knownSource(refHost)?.kind === 'search' ? 'organic' : 'referral';
  return { source, medium, campaign: (utm.campaign ?? '').toLowerCase() };
}

/**
 * GA4's default channel grouping, rules in GA4's order (first match wins). GA4 channels this
 * product does not list are skipped, so their traffic lands on the next rule that applies:
 * Cross-network and Paid Shopping fall to the paid rules, Organic Shopping to the organic ones;
 * Audio, SMS, Mobile Push and Unassigned become 'Other'. Communities (ProductHunt, Hacker News,
 * GitHub…) count as social sites; webmail referrers count as Email.
 */
export function channelOf(touch: { url: string; referrer: string }): Channel {
  const { source, medium } = sourceMediumOf(touch);
  if (!source && (!medium || medium === '(none)' || medium === '(not set)')) return 'Direct';
  const kind = source ? knownSource(source)?.kind : undefined;
  const social = kind === 'social' || kind === 'community';
  const paid = isPaidMedium(medium);
  if (paid && kind === 'search') return 'Paid Search';
  if (paid && social) return 'Paid Social';
  if (paid && kind === 'video') return 'Paid Video';
  if (DISPLAY_MEDIA.has(medium)) return 'Display';
  if (paid) return 'Paid Other';
  if (social || SOCIAL_MEDIA.has(medium)) return 'Organic Social';
  if (kind === 'video' || medium.includes('video')) return 'Organic Video';
  if (kind === 'search' || medium === 'organic') return 'Organic Search';
  if (EMAIL_VALUES.has(source) || EMAIL_VALUES.has(medium) || kind === 'email') return 'Email';
  if (AFFILIATE_MEDIA.has(medium)) return 'Affiliates';
  if (REFERRAL_MEDIA.has(medium)) return 'Referral';
  return 'Other';
}
