import { describe, expect, it } from 'vitest';
import {
  decodeQueryComponent,
  forEachParam,
  hostOf,
  hostSite,
  siteOf,
  splitUrl,
} from '../../src/core/url.ts';

/** What WHATWG URL says, in splitUrl's shape. */
function whatwg(url: string): ReturnType<typeof splitUrl> {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/\.$/, ''),
    path: u.pathname,
    query: u.search.slice(1),
    hash: u.hash.slice(1),
  };
}

describe('splitUrl', () => {
  it.each([
    'https://demo.example/',
    'https://demo.example/pricing/teams?utm_source=linkedin&x=1#plans',
    'http://WWW.Example.COM:8080/a/b?q=1',
    'HTTPS://example.com/A%20B/?q=%20#/route?x=1',
    'https://example.com',
    'https://example.com?x=1',
    'https://example.com#top',
    'https://user:pass@example.com/private',
    'https://example.com./trailing-dot',
    'https://münchen.example/straße',
    'https://127.1/short-ip',
    'https://[::1]:3000/ipv6',
    'https://example.com\\evil.com/backslash',
    '  https://example.com/padded  ',
    'https://example.com/a b/tab\there',
    'https://example.com/?a=1?b=2#c#d',
  ])('agrees with WHATWG URL for %s', (url) => {
    expect(splitUrl(url)).toEqual(whatwg(url));
  });

  it.each([
    '',
    'not a url',
    '/relative/path',
    'javascript:alert(1)',
    'ftp://example.com/',
    'data:text/html,x',
  ])('gives nothing for %j', (url) => {
    expect(splitUrl(url)).toBeUndefined();
    expect(hostOf(url)).toBe('');
  });

  it('hostOf gives the lower-case host without port', () => {
    expect(hostOf('https://News.YCombinator.com:443/item?id=1')).toBe('news.ycombinator.com');
  });
});

describe('query strings', () => {
  it('decodes like URLSearchParams, keeping malformed escapes', () => {
    expect(decodeQueryComponent('a+b%20c')).toBe('a b c');
    expect(decodeQueryComponent('caf%C3%A9')).toBe('café');
    expect(decodeQueryComponent('100%')).toBe('100%');
    expect(decodeQueryComponent('%E0%A4%A')).toBe(new URLSearchParams('a=%E0%A4%A').get('a'));
  });

  it('visits every pair with lower-case decoded names', () => {
    const seen: [string, string][] = [];
    forEachParam('A=1&&utm%5FSource=x&flag&=v&b=2=3', (name, raw) => seen.push([name, raw]));
    expect(seen).toEqual([
      ['a', '1'],
      ['utm_source', 'x'],
      ['flag', ''],
      ['', 'v'],
      ['b', '2=3'],
    ]);
  });
});

describe('siteOf', () => {
  it.each([
    ['example.com', 'example.com'],
    ['www.example.com', 'example.com'],
    ['blog.shop.example.com', 'example.com'],
    ['www.example.co.uk', 'example.co.uk'],
    ['shop.example.com.au', 'example.com.au'],
    ['alice.github.io', 'alice.github.io'],
    ['docs.alice.github.io', 'alice.github.io'],
    ['my-app.vercel.app', 'my-app.vercel.app'],
    ['localhost', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
  ])('%s → %s', (host, site) => {
    expect(siteOf(host)).toBe(site);
  });

  // Suffixes a short hand-made list missed, and hosts it cut in the wrong place.
  it.each([
    ['shop.example.co.uk', 'example.co.uk'],
    ['shop.example.ltd.uk', 'example.ltd.uk'],
    ['x.example.gv.at', 'example.gv.at'],
    ['foo.city.kawasaki.jp', 'city.kawasaki.jp'],
    ['docs.example.com.au', 'example.com.au'],
    ['shop.example.uk.com', 'example.uk.com'],
    ['alice.gitbook.io', 'alice.gitbook.io'],
    ['a.bucket.s3.amazonaws.com', 'bucket.s3.amazonaws.com'],
    ['www.github.io', 'www.github.io'],
    ['github.io', 'github.io'],
    ['co.uk', 'co.uk'],
    ['app.localhost', 'app.localhost'],
    ['10.0.0.1', '10.0.0.1'],
    ['[::1]', '[::1]'],
    ['[2001:db8::1]', '[2001:db8::1]'],
  ])('%s → %s (by the Public Suffix List)', (host, site) => {
    expect(siteOf(host)).toBe(site);
  });
});

describe('hostSite', () => {
  it.each<[string, ReturnType<typeof hostSite>]>([
    [
      'www.example.co.uk',
      { site: 'example.co.uk', subdomain: 'www', name: 'example', icann: true },
    ],
    [
      'blog.shop.example.com',
      { site: 'example.com', subdomain: 'blog.shop', name: 'example', icann: true },
    ],
    ['alice.github.io', { site: 'alice.github.io', subdomain: '', name: 'alice', icann: false }],
    ['example.com.de', { site: 'example.com.de', subdomain: '', name: 'example', icann: false }],
    ['localhost', { site: 'localhost', subdomain: '', name: '', icann: false }],
    ['192.168.1.20', { site: '192.168.1.20', subdomain: '', name: '', icann: false }],
  ])('%s', (host, parts) => {
    expect(hostSite(host)).toEqual(parts);
  });
});
