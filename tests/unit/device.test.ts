import { describe, expect, it } from 'vitest';
import type { ClientHints } from '../../src/core/capture.ts';
import { deviceOf, type Device } from '../../src/core/device.ts';

const UA = {
  chromeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  safariIpad:
    'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  chromeAndroidPhone:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  chromeAndroidTablet:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  chromeOs:
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
};

describe('deviceOf from the user agent', () => {
  it.each<{ name: keyof typeof UA; device: Device }>([
    {
      name: 'chromeWindows',
      device: { type: 'desktop', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Windows' },
    },
    {
      name: 'safariIphone',
      device: { type: 'mobile', browser: 'Safari', browserVersion: '17.2', os: 'iOS' },
    },
    {
      name: 'safariIpad',
      device: { type: 'tablet', browser: 'Safari', browserVersion: '17.2', os: 'iOS' },
    },
    {
      name: 'firefoxLinux',
      device: { type: 'desktop', browser: 'Firefox', browserVersion: '121.0', os: 'Linux' },
    },
    {
      name: 'edgeWindows',
      device: {
        type: 'desktop',
        browser: 'Microsoft Edge',
        browserVersion: '120.0.2210.91',
        os: 'Windows',
      },
    },
    {
      name: 'safariMac',
      device: { type: 'desktop', browser: 'Safari', browserVersion: '17.2', os: 'macOS' },
    },
    {
      name: 'chromeAndroidPhone',
      device: { type: 'mobile', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Android' },
    },
    {
      name: 'chromeAndroidTablet',
      device: { type: 'tablet', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Android' },
    },
    {
      name: 'chromeOs',
      device: { type: 'desktop', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Chrome OS' },
    },
  ])('$name', ({ name, device }) => {
    expect(deviceOf(UA[name])).toEqual(device);
  });

  it.each(['', '   ', 'hello', '\u0000'])('falls back to desktop / Unknown for %j', (ua) => {
    expect(deviceOf(ua)).toEqual({
      type: 'desktop',
      browser: 'Unknown',
      browserVersion: '',
      os: 'Unknown',
    });
  });
});

const brands = (brand: string, version: string): ClientHints['brands'] => [
  { brand: 'Not_A Brand', version: '8' },
  { brand: 'Chromium', version },
  { brand, version },
];

describe('deviceOf with client hints', () => {
  it.each<{ name: string; ua: string; hints: ClientHints; device: Device }>([
    {
      name: 'Chrome hints keep the UA’s fuller version of the same major',
      ua: UA.chromeWindows,
      hints: { brands: brands('Google Chrome', '120'), mobile: false, platform: 'Windows' },
      device: { type: 'desktop', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Windows' },
    },
    {
      name: 'a newer major in the hints wins over a frozen UA',
      ua: UA.chromeWindows,
      hints: { brands: brands('Google Chrome', '121'), mobile: false, platform: 'Windows' },
      device: { type: 'desktop', browser: 'Chrome', browserVersion: '121', os: 'Windows' },
    },
    {
      name: 'Brave, whose UA says Chrome',
      ua: UA.chromeWindows,
      hints: { brands: brands('Brave', '120'), mobile: false, platform: 'Windows' },
      device: { type: 'desktop', browser: 'Brave', browserVersion: '120', os: 'Windows' },
    },
    {
      name: 'Edge named by hints only',
      ua: UA.chromeWindows,
      hints: { brands: brands('Microsoft Edge', '120'), mobile: false, platform: 'Windows' },
      device: { type: 'desktop', browser: 'Microsoft Edge', browserVersion: '120', os: 'Windows' },
    },
    {
      name: 'the hints’ platform overrides the UA’s OS',
      ua: UA.chromeWindows,
      hints: { brands: brands('Google Chrome', '120'), mobile: false, platform: 'macOS' },
      device: { type: 'desktop', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'macOS' },
    },
    {
      name: 'mobile: true overrides a desktop UA ("request desktop site")',
      ua: UA.chromeWindows,
      hints: { mobile: true, platform: 'Android' },
      device: { type: 'mobile', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Android' },
    },
    {
      name: 'mobile: false on Android is a tablet',
      ua: UA.chromeAndroidPhone,
      hints: { mobile: false, platform: 'Android' },
      device: { type: 'tablet', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Android' },
    },
    {
      name: 'Chromium OS is Chrome OS',
      ua: UA.chromeOs,
      hints: { mobile: false, platform: 'Chromium OS' },
      device: { type: 'desktop', browser: 'Chrome', browserVersion: '120.0.0.0', os: 'Chrome OS' },
    },
    {
      name: 'only Chromium and GREASE brands',
      ua: UA.chromeWindows,
      hints: {
        brands: [
          { brand: 'Not A(Brand', version: '99' },
          { brand: 'Chromium', version: '120' },
        ],
      },
      device: { type: 'desktop', browser: 'Chromium', browserVersion: '120', os: 'Windows' },
    },
    {
      name: 'hints without a UA',
      ua: '',
      hints: { brands: brands('Google Chrome', '120'), mobile: false, platform: 'Windows' },
      device: { type: 'desktop', browser: 'Chrome', browserVersion: '120', os: 'Windows' },
    },
    {
      name: 'an empty or Unknown platform is ignored',
      ua: UA.firefoxLinux,
      hints: { platform: 'Unknown' },
      device: { type: 'desktop', browser: 'Firefox', browserVersion: '121.0', os: 'Linux' },
    },
  ])('$name', ({ ua, hints, device }) => {
    expect(deviceOf(ua, hints)).toEqual(device);
  });

  it('returns a fresh object each call (the memo is not shared with callers)', () => {
    const a = deviceOf(UA.chromeWindows);
    a.browser = 'changed';
    expect(deviceOf(UA.chromeWindows).browser).toBe('Chrome');
  });
});

describe('iPads in desktop mode', () => {
  const MAC_SAFARI =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
  it('tells an iPad sending a Mac user agent by its touch points', () => {
    expect(deviceOf(MAC_SAFARI, undefined, 5)).toMatchObject({ type: 'tablet', os: 'iOS' });
  });
  it('leaves a Mac a Mac, and a touch-screen Windows laptop a computer', () => {
    expect(deviceOf(MAC_SAFARI)).toMatchObject({ type: 'desktop', os: 'macOS' });
    expect(deviceOf(MAC_SAFARI, undefined, 0)).toMatchObject({ type: 'desktop', os: 'macOS' });
    expect(
      deviceOf(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
        undefined,
        10,
      ),
    ).toMatchObject({ type: 'desktop', os: 'Windows' });
  });
});
