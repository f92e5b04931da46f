import { animals, colors } from 'unique-names-generator';
import { describe, expect, it } from 'vitest';
import { avatarColors, avatarSvg, generatedName, hash53 } from '../../src/core/identity.ts';

/** Ids like the widget makes: 22 base64url characters, from a seeded generator. */
function ids(count: number, seed = 7): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = seed;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let id = '';
    for (let j = 0; j < 22; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      id += alphabet.charAt(s >>> 26);
    }
    out.push(id);
  }
  return out;
}

const titleCase = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

describe('generatedName', () => {
  it('is a Title Case colour and animal from the dictionaries', () => {
    for (const id of ids(200)) {
      const [colour, animal, ...rest] = generatedName(id).split(' ');
      expect(rest).toEqual([]);
      expect(colors.map(titleCase)).toContain(colour);
      expect(animals.map(titleCase)).toContain(animal);
    }
  });

  it('gives the same name for the same visitor id, every time', () => {
    // Two separately built copies of the ids: no Math.random, no per-call state.
    expect(ids(50).map(generatedName)).toEqual(ids(50).map(generatedName));
  });

  // Pinned values: a change here renames every lead in every teammate's browser.
  it.each([
    ['visitor-0001', 'Lavender Echidna'],
    ['AAAAAAAAAAAAAAAAAAAAAA', 'Tomato Jellyfish'],
  ])('names %s "%s" (stable across versions and engines)', (id, name) => {
    expect(generatedName(id)).toBe(name);
  });

  it('varies across many visitors', () => {
    const names = new Set(ids(1000).map(generatedName));
    // 52 × 355 = 18,460 names: 1,000 random ids should collide only a few dozen times.
    expect(names.size).toBeGreaterThan(950);
  });

  it('tells apart ids with the same characters in another order', () => {
    // unique-names-generator's own string seed sums character codes: anagrams would collide.
    const anagrams = ['abcdefghijklmnopqrstuv', 'vutsrqponmlkjihgfedcba', 'bacdefghijklmnopqrstuv'];
    expect(new Set(anagrams.map(generatedName)).size).toBe(3);
  });

  it('spreads hashes over the whole colour list', () => {
    const used = new Set(ids(2000).map((id) => generatedName(id).split(' ')[0]));
    expect(used.size).toBe(colors.length);
  });
});

describe('hash53', () => {
  it('is a deterministic non-negative integer below 2^53', () => {
    expect(hash53('a')).toBe(hash53('a'));
    expect(hash53('a')).not.toBe(hash53('b'));
    expect(hash53('a', 1)).not.toBe(hash53('a'));
    for (const id of ids(100)) {
      const h = hash53(id);
      expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    }
  });
});

describe('avatarSvg', () => {
  it('is the same SVG for the same visitor', () => {
    expect(avatarSvg('visitor-0001', 64)).toBe(avatarSvg('visitor-0001', 64));
  });

  it('differs between visitors', () => {
    const svgs = new Set(ids(200).map((id) => avatarSvg(id)));
    expect(svgs.size).toBe(200);
  });

  it('shows the generated name’s initials', () => {
    const id = 'visitor-0001';
    const [colour = '', animal = ''] = generatedName(id).split(' ');
    expect(avatarSvg(id)).toContain(`>${colour.charAt(0)}${animal.charAt(0)}</text>`);
  });

  it.each([
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "' onload='alert(1)",
    '&amp;&#x3C;',
    ']]><!--',
  ])('contains no visitor-supplied text for the id %j', (id) => {
    const svg = avatarSvg(id, 48);
    expect(svg).not.toContain(id);
    expect(svg).not.toMatch(/script|onerror|onload|<img|<!--|&/i);
    // Only the fixed markup: tags, numbers, hsl() colours, fixed words and two initials.
    const text = svg.replace(/<[^>]*>/g, '');
    expect(text).toMatch(/^[A-Z]{2}$/);
  });

  it('uses the requested size, within bounds', () => {
    expect(avatarSvg('v', 64)).toContain('width="64" height="64"');
    expect(avatarSvg('v', 1)).toContain('width="8" height="8"');
    expect(avatarSvg('v', 10_000)).toContain('width="512" height="512"');
    expect(avatarSvg('v', Number.NaN)).toContain('width="40" height="40"');
  });

  it('gives each visitor’s gradient its own id, so inlined avatars do not clash', () => {
    const idOf = (svg: string): string | undefined => /linearGradient id="([^"]+)"/.exec(svg)?.[1];
    expect(idOf(avatarSvg('visitor-a'))).not.toBe(idOf(avatarSvg('visitor-b')));
  });
});

describe('avatarColors', () => {
  it('is deterministic integer hsl() colours', () => {
    const c = avatarColors('visitor-0001');
    expect(c).toEqual(avatarColors('visitor-0001'));
    for (const value of Object.values(c)) expect(value).toMatch(/^hsl\(\d{1,3},\d{2}%,\d{2}%\)$/);
  });
});
