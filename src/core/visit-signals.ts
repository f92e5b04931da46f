/**
 * What a visit gives scoring, read from its URL and referrer once, when it is folded into its
 * lead: the rule-free signals it fires (paid ads, UTMs, ProductHunt or LinkedIn, an external
 * referrer) and the page as its path segments, for the high-intent paths the rules name.
 */
import {
  attributionOfQuery,
  hasUtm,
  isExternalHost,
  isPaid,
  type UrlAttribution,
} from './attribution.ts';
import { knownSource } from './known-sources.ts';
import { countryOf } from './geo.ts';
import { combineScoreFacts, SIGNAL_BIT, type ScoreFacts, type ScoreInput } from './scoring.ts';
import { referrerHost, splitUrl, type UrlParts } from './url.ts';

// A page file name counts like the bare segment: /pricing.html is the pricing page.
const PAGE_EXTENSION = /\.(?:html?|php|aspx?|jsp)$/;

/** Lower-case, decoded path segments of a page, plus those of a hash route (`#/pricing`). */
export function pathSegments(parts: UrlParts): string[] {
  const out: string[] = [];
  addSegments(parts.path, out);
  const hash = parts.hash;
  if (hash.startsWith('/') || hash.startsWith('!/')) {
    const q = hash.indexOf('?');
    addSegments(q < 0 ? hash : hash.slice(0, q), out);
  }
  return out;
}

function addSegments(path: string, out: string[]): void {
  for (const raw of path.toLowerCase().split('/')) {
    if (!raw || raw === '!') continue;
    let segment = raw;
    if (segment.includes('%')) {
      try {
        segment = decodeURIComponent(segment);
      } catch {
        // keep as written
      }
    }
    if (segment.includes('.')) segment = segment.replace(PAGE_EXTENSION, '');
    if (segment) out.push(segment);
  }
}

const PH_OR_LINKEDIN = new Set(['ProductHunt', 'LinkedIn']);

function isPhOrLinkedIn(hostOrSource: string | undefined): boolean {
  if (!hostOrSource) return false;
  const source = knownSource(hostOrSource);
  return source !== undefined && PH_OR_LINKEDIN.has(source.name);
}

/** A page as its segments, "/a/b/" (the home page is "/"). */
function pageKey(segments: readonly string[]): string {
  let key = '/';
  for (const segment of segments) key += `${segment}/`;
  return key;
}

/** What one visit gives scoring, from its URL parsed once (its UTMs and click ids too). */
export interface VisitScoring {
  /** The rule-free signals this visit fires, as bits. */
  signals: number;
  /** The page as its segments, "/a/b/" ('' when the URL does not parse). */
  page: string;
  attribution: UrlAttribution;
}

export function visitScoring(visit: { url: string; referrer: string }): VisitScoring {
  const parts = splitUrl(visit.url);
  const attribution = parts ? attributionOfQuery(parts.query) : { utm: {}, clickIds: {} };
  let bits = 0;
  const { utm, clickIds } = attribution;
  if (isPaid(utm, clickIds)) bits |= SIGNAL_BIT.paidAds;
  if (hasUtm(utm)) bits |= SIGNAL_BIT.hasUtm;
  if (isPhOrLinkedIn(utm.source)) bits |= SIGNAL_BIT.productHuntOrLinkedIn;
  if (visit.referrer) {
    const refHost = referrerHost(visit.referrer);
    if (refHost) {
      if (isPhOrLinkedIn(refHost)) bits |= SIGNAL_BIT.productHuntOrLinkedIn;
      if (isExternalHost(refHost, parts?.host ?? '')) bits |= SIGNAL_BIT.externalReferrer;
    }
  }
  return { signals: bits, page: parts ? pageKey(pathSegments(parts)) : '', attribution };
}

/** Score facts straight from visits (each URL parsed here). */
export function scoreFacts(input: ScoreInput): ScoreFacts {
  return combineScoreFacts(input.visits.map(visitScoring), {
    named: input.named,
    country: countryOf(input.tz, input.languages) !== undefined,
  });
}
