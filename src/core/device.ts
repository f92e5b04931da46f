/**
 * Device of a visitor — desktop / mobile / tablet, browser and version, OS — from the raw user
 * agent (parsed by bowser) corrected by client hints where the browser sent them: Chromium
 * freezes parts of its UA string (the "reduced UA"), while `navigator.userAgentData` tells the
 * real brand, platform and whether the device is mobile.
 */
import Bowser from 'bowser';
import type { ClientHints } from './capture.ts';

export interface Device {
  type: 'desktop' | 'mobile' | 'tablet';
  browser: string;
  browserVersion: string;
  os: string;
}

export const UNKNOWN = 'Unknown';

// GREASE brands Chromium adds so servers don't hard-code the list: "Not A(Brand", "Not_A Brand"…
const GREASE = /not.?a.?brand/i;
/** Hint brand → the name bowser uses for the same browser. */
const BRAND_NAMES: Readonly<Record<string, string>> = {
  'google chrome': 'Chrome',
  'microsoft edge': 'Microsoft Edge',
  opera: 'Opera',
  'opera gx': 'Opera',
  brave: 'Brave',
  vivaldi: 'Vivaldi',
  yandex: 'Yandex Browser',
  yabrowser: 'Yandex Browser',
  'samsung internet': 'Samsung Internet for Android',
  duckduckgo: 'DuckDuckGo',
  chromium: 'Chromium',
};
const PLATFORM_NAMES: Readonly<Record<string, string>> = {
  'chrome os': 'Chrome OS',
  'chromium os': 'Chrome OS',
  macos: 'macOS',
  windows: 'Windows',
  linux: 'Linux',
  android: 'Android',
  ios: 'iOS',
};

/** The most specific real brand: not GREASE, and Chromium only when nothing else is named. */
function brandOf(hints: ClientHints | undefined): { brand: string; version: string } | undefined {
  let chromium: { brand: string; version: string } | undefined;
  for (const b of hints?.brands ?? []) {
    const name = b.brand.trim();
    if (!name || GREASE.test(name)) continue;
    if (name.toLowerCase() === 'chromium') chromium = { brand: name, version: b.version };
    else return { brand: name, version: b.version };
  }
  return chromium;
}

function parseUa(
  ua: string,
  hints: ClientHints | undefined,
): Bowser.Parser.ParsedResult | undefined {
  if (!ua.trim()) return undefined; // bowser throws on an empty UA
  try {
    return Bowser.parse(ua, hints);
  } catch {
    return undefined;
  }
}

function computeDevice(ua: string, hints: ClientHints | undefined, touch: number): Device {
  const parsed = parseUa(ua, hints);
  let browser = parsed?.browser.name || UNKNOWN;
  let browserVersion = parsed?.browser.version || '';
  let os = parsed?.os.name || UNKNOWN;
  const platformType = parsed?.platform.type;
  let type: Device['type'] =
    platformType === 'mobile' || platformType === 'tablet' ? platformType : 'desktop';

  const brand = brandOf(hints);
  if (brand) {
    const name = BRAND_NAMES[brand.brand.toLowerCase()] ?? brand.brand.slice(0, 50);
    const major = brand.version.split('.')[0] ?? '';
    // Keep the UA's fuller version ("120.0.6099.71") when it is the same browser and major.
    const sameMajor = browserVersion === major || browserVersion.startsWith(`${major}.`);
    if (!(name === browser && sameMajor)) browserVersion = brand.version.slice(0, 32);
    browser = name;
  }
  const platform = hints?.platform?.trim();
  if (platform && platform.toLowerCase() !== 'unknown') {
    os = PLATFORM_NAMES[platform.toLowerCase()] ?? platform.slice(0, 50);
  }
  if (hints?.mobile === true) type = 'mobile';
  else if (hints?.mobile === false && type !== 'tablet') {
    // Chromium on an Android tablet says mobile: false; elsewhere false means a computer.
    type = os === 'Android' ? 'tablet' : 'desktop';
  }
  // An iPad in Safari's default "desktop website" mode sends a Mac's user agent; Macs have no
  // touch screen, so touch points give it away.
  if (os === 'macOS' && touch > 1) {
    type = 'tablet';
    os = 'iOS';
  }
  return { type, browser, browserVersion, os };
}

const cache = new Map<string, Device>();

/**
 * The visitor's device; anything unrecognised is 'desktop' / 'Unknown'. `touch`: the device's
 * touch points (`navigator.maxTouchPoints`), 0 when unknown.
 */
export function deviceOf(ua: string, hints?: ClientHints, touch = 0): Device {
  // Many leads share a UA: memoise (bounded) — the result depends only on the inputs.
  const key = `${touch > 1 ? 't' : ''}${hints ? `${ua}\u0000${JSON.stringify(hints)}` : ua}`;
  let device = cache.get(key);
  if (!device) {
    device = computeDevice(ua, hints, touch);
    if (cache.size >= 2000) cache.clear();
    cache.set(key, device);
  }
  return { ...device };
}
