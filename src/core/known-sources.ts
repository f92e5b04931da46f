/**
 * Well-known sources: search engines, social networks, communities such as ProductHunt and
 * Hacker News, webmail, video and shopping sites — recognised from a referrer host, a URL or a
 * utm_source value (see attribution.ts, which sorts touches into channels with them).
 */
import { hostSite, splitUrl } from './url.ts';

export type SourceKind = 'search' | 'social' | 'email' | 'video' | 'shopping' | 'community';

export interface KnownSource {
  name: string;
  kind: SourceKind;
}

interface SourceDef extends KnownSource {
  /** Hosts matched with all their subdomains (`facebook.com` covers `l.facebook.com`). */
  domains?: readonly string[];
  /** Brand names matched under any ICANN suffix, bare or with `www.`/`m.` (`google.co.uk`). */
  brands?: readonly string[];
  /** utm_source values, compared lower-case without spaces, '_' or '-'. */
  aliases?: readonly string[];
  /** Android apps whose links send `android-app://<package>/` as the referrer. */
  apps?: readonly string[];
}

// ProductHunt, Hacker News and other communities are missing from most public lists (SPEC §5).
const SOURCES: readonly SourceDef[] = [
  // Search engines
  {
    name: 'Google',
    kind: 'search',
    brands: ['google'],
    aliases: ['google'],
    apps: ['com.google.android.googlequicksearchbox'],
  },
  { name: 'Bing', kind: 'search', domains: ['bing.com'], aliases: ['bing'] },
  {
    name: 'DuckDuckGo',
    kind: 'search',
    domains: ['duckduckgo.com', 'ddg.gg'],
    aliases: ['duckduckgo', 'ddg'],
  },
  {
    name: 'Yahoo',
    kind: 'search',
    domains: ['yahoo.com', 'yahoo.co.jp'],
    brands: ['yahoo'],
    aliases: ['yahoo'],
  },
  { name: 'Baidu', kind: 'search', domains: ['baidu.com'], aliases: ['baidu'] },
  { name: 'Yandex', kind: 'search', domains: ['ya.ru'], brands: ['yandex'], aliases: ['yandex'] },
  { name: 'Ecosia', kind: 'search', domains: ['ecosia.org'], aliases: ['ecosia'] },
  { name: 'Brave Search', kind: 'search', domains: ['search.brave.com'], aliases: ['brave'] },
  { name: 'Startpage', kind: 'search', domains: ['startpage.com'], aliases: ['startpage'] },
  { name: 'Qwant', kind: 'search', domains: ['qwant.com'], aliases: ['qwant'] },
  { name: 'Kagi', kind: 'search', domains: ['kagi.com'], aliases: ['kagi'] },
  { name: 'Naver', kind: 'search', domains: ['naver.com'], aliases: ['naver'] },
  { name: 'Seznam', kind: 'search', domains: ['seznam.cz'], aliases: ['seznam'] },
  { name: 'Sogou', kind: 'search', domains: ['sogou.com'], aliases: ['sogou'] },
  // Social networks
  {
    name: 'LinkedIn',
    kind: 'social',
    domains: ['linkedin.com', 'lnkd.in'],
    aliases: ['linkedin', 'lnkd'],
    apps: ['com.linkedin.android'],
  },
  {
    name: 'Facebook',
    kind: 'social',
    domains: ['facebook.com', 'fb.com', 'fb.me', 'messenger.com'],
    aliases: ['facebook', 'fb'],
    apps: ['com.facebook.katana', 'com.facebook.lite', 'com.facebook.orca'],
  },
  {
    name: 'Instagram',
    kind: 'social',
    domains: ['instagram.com', 'ig.me'],
    aliases: ['instagram', 'ig'],
    apps: ['com.instagram.android'],
  },
  {
    name: 'X (Twitter)',
    kind: 'social',
    domains: ['twitter.com', 'x.com', 't.co'],
    apps: ['com.twitter.android'],
    aliases: ['twitter', 'x'],
  },
  {
    name: 'Reddit',
    kind: 'social',
    domains: ['reddit.com', 'redd.it'],
    aliases: ['reddit'],
    apps: ['com.reddit.frontpage'],
  },
  { name: 'TikTok', kind: 'social', domains: ['tiktok.com'], aliases: ['tiktok'] },
  {
    name: 'Pinterest',
    kind: 'social',
    domains: ['pin.it'],
    brands: ['pinterest'],
    aliases: ['pinterest'],
  },
  {
    name: 'Threads',
    kind: 'social',
    domains: ['threads.net', 'threads.com'],
    aliases: ['threads'],
  },
  { name: 'Bluesky', kind: 'social', domains: ['bsky.app'], aliases: ['bluesky', 'bsky'] },
  { name: 'Mastodon', kind: 'social', domains: ['mastodon.social'], aliases: ['mastodon'] },
  { name: 'Snapchat', kind: 'social', domains: ['snapchat.com'], aliases: ['snapchat'] },
  { name: 'VK', kind: 'social', domains: ['vk.com'], aliases: ['vk', 'vkontakte'] },
  {
    name: 'WhatsApp',
    kind: 'social',
    domains: ['whatsapp.com', 'wa.me'],
    aliases: ['whatsapp'],
    apps: ['com.whatsapp'],
  },
  {
    name: 'Telegram',
    kind: 'social',
    domains: ['t.me', 'telegram.org'],
    aliases: ['telegram'],
    apps: ['org.telegram.messenger'],
  },
  // Communities
  {
    name: 'ProductHunt',
    kind: 'community',
    domains: ['producthunt.com'],
    aliases: ['producthunt', 'ph'],
  },
  {
    name: 'Hacker News',
    kind: 'community',
    domains: ['news.ycombinator.com'],
    aliases: ['hackernews', 'hn', 'ycombinator'],
  },
  { name: 'GitHub', kind: 'community', domains: ['github.com'], aliases: ['github'] },
  {
    name: 'Stack Overflow',
    kind: 'community',
    domains: ['stackoverflow.com', 'stackexchange.com'],
    aliases: ['stackoverflow'],
  },
  {
    name: 'Indie Hackers',
    kind: 'community',
    domains: ['indiehackers.com'],
    aliases: ['indiehackers'],
  },
  { name: 'DEV', kind: 'community', domains: ['dev.to'], aliases: ['devto'] },
  { name: 'Lobsters', kind: 'community', domains: ['lobste.rs'], aliases: ['lobsters'] },
  {
    name: 'Discord',
    kind: 'community',
    domains: ['discord.com', 'discord.gg'],
    aliases: ['discord'],
  },
  {
    name: 'Slack',
    kind: 'community',
    domains: ['slack.com'],
    aliases: ['slack'],
    apps: ['com.slack'],
  },
  { name: 'Quora', kind: 'community', domains: ['quora.com'], aliases: ['quora'] },
  // Video
  {
    name: 'YouTube',
    kind: 'video',
    domains: ['youtube.com', 'youtu.be', 'youtube-nocookie.com'],
    apps: ['com.google.android.youtube'],
    aliases: ['youtube', 'yt'],
  },
  { name: 'Vimeo', kind: 'video', domains: ['vimeo.com'], aliases: ['vimeo'] },
  { name: 'Twitch', kind: 'video', domains: ['twitch.tv'], aliases: ['twitch'] },
  // Webmail (more specific than the search engine of the same company: longest host wins)
  {
    name: 'Gmail',
    kind: 'email',
    domains: ['mail.google.com'],
    aliases: ['gmail'],
    apps: ['com.google.android.gm'],
  },
  {
    name: 'Outlook',
    kind: 'email',
    domains: ['outlook.live.com', 'outlook.office.com', 'outlook.office365.com', 'outlook.com'],
    aliases: ['outlook', 'hotmail'],
  },
  { name: 'Yahoo Mail', kind: 'email', domains: ['mail.yahoo.com', 'mail.yahoo.co.jp'] },
  {
    name: 'Proton Mail',
    kind: 'email',
    domains: ['mail.proton.me', 'mail.protonmail.com'],
    aliases: ['protonmail'],
  },
  { name: 'iCloud Mail', kind: 'email', domains: ['icloud.com'] },
  { name: 'AOL Mail', kind: 'email', domains: ['mail.aol.com'] },
  { name: 'Zoho Mail', kind: 'email', domains: ['mail.zoho.com', 'mail.zoho.eu'] },
  { name: 'Fastmail', kind: 'email', domains: ['fastmail.com'], aliases: ['fastmail'] },
  { name: 'Yandex Mail', kind: 'email', domains: ['mail.yandex.ru', 'mail.yandex.com'] },
  { name: 'GMX', kind: 'email', domains: ['gmx.net', 'gmx.de', 'gmx.com'], aliases: ['gmx'] },
  // GA4's email sources (`email`, `e-mail`, `e_mail`, `e mail` normalise to `email`), and
  // `newsletter`, which GA4 leaves Unassigned but which is unambiguous here.
  { name: 'Email', kind: 'email', aliases: ['email', 'newsletter'] },
  // Shopping
  { name: 'Amazon', kind: 'shopping', brands: ['amazon'], aliases: ['amazon'] },
  { name: 'eBay', kind: 'shopping', brands: ['ebay'], aliases: ['ebay'] },
  { name: 'Etsy', kind: 'shopping', domains: ['etsy.com'], aliases: ['etsy'] },
];

const BY_DOMAIN = new Map<string, KnownSource>();
const BY_BRAND = new Map<string, KnownSource>();
const BY_ALIAS = new Map<string, KnownSource>();
for (const def of SOURCES) {
  const source: KnownSource = { name: def.name, kind: def.kind };
  for (const d of def.domains ?? []) BY_DOMAIN.set(d, source);
  for (const b of def.brands ?? []) BY_BRAND.set(b, source);
  for (const a of def.aliases ?? []) BY_ALIAS.set(a, source);
  // An app referrer's host is its package name (see url.ts referrerHost).
  for (const app of def.apps ?? []) BY_DOMAIN.set(app, source);
}

const ALIAS_NOISE = /[\s_-]+/g;

function sourceOfHost(host: string): KnownSource | undefined {
  // Longest suffix first, so mail.google.com (Gmail) wins over the google.* brand rule.
  for (let h = host; ;) {
    const hit = BY_DOMAIN.get(h);
    if (hit) return hit;
    const dot = h.indexOf('.');
    if (dot < 0) break;
    h = h.slice(dot + 1);
  }
  // Only a host that starts with a brand (after `www.`/`m.`) is worth a suffix look-up.
  const core = host.startsWith('www.')
    ? host.slice(4)
    : host.startsWith('m.')
      ? host.slice(2)
      : host;
  const dot = core.indexOf('.');
  const brand = dot > 0 ? BY_BRAND.get(core.slice(0, dot)) : undefined;
  if (!brand) return undefined;
  // The brand must be the whole site under an ICANN suffix: google.co.uk, but not
  // google.evil.com, nor google.com.de (a hosting platform's suffix: anyone's).
  const site = hostSite(core);
  return site.icann && site.subdomain === '' && site.site === core ? brand : undefined;
}

const sourceCache = new Map<string, KnownSource | null>();

/**
 * A well-known source from a referrer host (`www.google.co.uk`, `lnkd.in`), a URL, or a
 * utm_source value (`linkedin`, `product_hunt`, `ph`, `fb`). Look-alikes (`notgoogle.com`,
 * `google.evil.com`) do not match.
 */
export function knownSource(hostOrUtmSource: string): KnownSource | undefined {
  const cached = sourceCache.get(hostOrUtmSource);
  if (cached !== undefined) return cached ?? undefined;
  const found = lookupSource(hostOrUtmSource);
  // Bounded memo: referrer hosts repeat across leads; the answer never depends on the cache.
  if (sourceCache.size >= 5000) sourceCache.clear();
  sourceCache.set(hostOrUtmSource, found ?? null);
  return found;
}

function lookupSource(input: string): KnownSource | undefined {
  const text = input.trim().toLowerCase();
  if (!text) return undefined;
  if (text.includes('://')) {
    const host = splitUrl(text)?.host;
    return host ? sourceOfHost(host) : undefined;
  }
  if (text.includes('.')) {
    // A bare host (maybe with a path or port), e.g. utm_source=linkedin.com
    const host = text.split(/[/:?#]/, 1)[0] ?? '';
    return sourceOfHost(host.endsWith('.') ? host.slice(0, -1) : host);
  }
  return BY_ALIAS.get(text.replace(ALIAS_NOISE, ''));
}
