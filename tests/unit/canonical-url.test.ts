import { describe, expect, it } from 'vitest';
import { canonicalHttpUrl } from '../../src/core/canonical-url.ts';
import { prng } from '../prng.ts';

const parsed = (url: string): string | undefined => {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
};

describe('telling a URL is already canonical', () => {
  it.each([
    'https://shop.example/',
    'https://shop.example/pricing?utm_source=linkedin&utm_medium=paid_social#faq',
    'http://a-b.example.co.uk/p/a%20b?q=1;x=(2)*&y=$!@:',
    'https://shop.example/#/pricing',
    'https://shop.example/#!/demo?x=1#y',
  ])('takes %s as it is', (url) => {
    expect(canonicalHttpUrl(url)).toBe(url);
    expect(parsed(url)).toBe(url);
  });

  it.each([
    'HTTPS://shop.example/',
    'https://Shop.example/',
    'https://shop.example',
    'https://shop.example:443/',
    'https://shop.example/a/../b',
    'https://shop.example/./a',
    'https://shop.example/%2e%2e/a',
    'https://shop.example/a b',
    "https://shop.example/?q='x'",
    'https://shop.example/<script>',
    'https://127.0.0.1/',
    'https://0x7f/',
    'https://shop.example./',
    'https://xn--nxasmq6b.example/',
    'https://user@shop.example/',
    'https://shop.example\\pricing',
    'javascript:alert(1)',
    'https://bücher.example/',
    'https://shop.example/ü',
  ])('leaves %s to the parser', (url) => {
    expect(canonicalHttpUrl(url)).toBeUndefined();
  });

  it('never takes a URL the parser would write otherwise (20,000 random ones)', () => {
    const random = prng(7);
    const parts = [
      'http://',
      'https://',
      'HTTP://',
      'a',
      'b',
      'z',
      '0',
      '9',
      '.',
      '-',
      '/',
      '//',
      '?',
      '#',
      '%',
      '%2e',
      '%41',
      ':',
      '@',
      '!',
      '$',
      '&',
      "'",
      '(',
      ')',
      '*',
      '+',
      ',',
      ';',
      '=',
      '~',
      '_',
      ' ',
      '"',
      '<',
      '>',
      '`',
      '{',
      '}',
      '|',
      '\\',
      '^',
      '[',
      ']',
      'ü',
      '\t',
      '\n',
      '..',
      'xn--',
      '0x',
      '443',
      'Ä',
      'example',
      'com',
    ];
    const labels = ['shop', 'example', 'com', 'a-b', 'x0', '0', '12', '0x', '0x7f', 'xn--a', 'B'];
    const pick = (from: readonly string[]): string =>
      from[Math.floor(random() * from.length)] ?? '';
    let taken = 0;
    for (let n = 0; n < 20_000; n++) {
      let url = random() < 0.5 ? 'https://' : 'http://';
      // Half of them start like a real site, so many get as far as the path.
      if (random() < 0.5) url += `${pick(labels)}.${pick(labels)}/`;
      const length = 1 + Math.floor(random() * 12);
      for (let i = 0; i < length; i++) url += pick(parts);
      const fast = canonicalHttpUrl(url);
      if (fast === undefined) continue;
      taken++;
      expect(parsed(url), url).toBe(fast);
    }
    expect(taken).toBeGreaterThan(500);
  });
});
