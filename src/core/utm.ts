/**
 * The words of attribution — UTM fields, ad click ids, channels — as plain data, for every part
 * that shows or counts them. How a touch is parsed and sorted into them is attribution.ts's.
 */

export const UTM_FIELDS = ['source', 'medium', 'campaign', 'content', 'term'] as const;
export type UtmField = (typeof UTM_FIELDS)[number];
export type Utm = Partial<Record<UtmField, string>>;

/**
 * Ad click ids captured from landing URLs. All but `fbclid` are added by ad platforms only;
 * Facebook adds `fbclid` to ordinary outbound link clicks too, so it proves nothing about ads.
 */
export const CLICK_IDS = [
  'gclid', // Google Ads
  'gbraid', // Google Ads (iOS app → web)
  'wbraid', // Google Ads (web → app)
  'dclid', // Google Display & Video 360 / Campaign Manager
  'msclkid', // Microsoft Advertising
  'fbclid', // Facebook: any outbound link, not only ads
  'li_fat_id', // LinkedIn Ads
  'ttclid', // TikTok Ads
  'twclid', // X (Twitter) Ads
  'yclid', // Yandex Direct
  'rdt_cid', // Reddit Ads
  'ScCid', // Snapchat Ads
] as const;
export type ClickId = (typeof CLICK_IDS)[number];
export type ClickIds = Partial<Record<string, string>>;

/** Click ids that only ads carry: any of them marks a visit as paid. */
export const AD_CLICK_IDS: readonly ClickId[] = CLICK_IDS.filter((id) => id !== 'fbclid');

export type Channel =
  | 'Paid Search'
  | 'Paid Social'
  | 'Organic Search'
  | 'Organic Social'
  | 'Email'
  | 'Referral'
  | 'Direct'
  | 'Display'
  | 'Affiliates'
  | 'Paid Video'
  | 'Organic Video'
  | 'Paid Other'
  | 'Other';

export const CHANNELS: readonly Channel[] = [
  'Direct',
  'Paid Search',
  'Paid Social',
  'Paid Video',
  'Display',
  'Paid Other',
  'Organic Social',
  'Organic Video',
  'Organic Search',
  'Email',
  'Affiliates',
  'Referral',
  'Other',
];
