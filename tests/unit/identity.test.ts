import { animals, colors } from 'unique-names-generator';
import { describe, expect, it } from 'vitest';
import {
  avatarColors,
  avatarLook,
  contrastWithWhite,
  generatedName,
  hash53,
} from '../../src/core/identity.ts';

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

describe('avatarLook', () => {
  it('is the same for the same visitor', () => {
    expect(avatarLook('visitor-0001', 64)).toEqual(avatarLook('visitor-0001', 64));
  });

  it('differs between visitors', () => {
    const looks = new Set(ids(200).map((id) => avatarLook(id).background));
    expect(looks.size).toBe(200);
  });

  it('shows the generated name’s initials', () => {
    const id = 'visitor-0001';
    const [colour = '', animal = ''] = generatedName(id).split(' ');
    expect(avatarLook(id).initials).toBe(`${colour.charAt(0)}${animal.charAt(0)}`);
  });

  it.each([
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "' onload='alert(1)",
    'url(javascript:alert(1))',
    ']]><!--',
  ])('contains no visitor-supplied text for the id %j', (id) => {
    const look = avatarLook(id, 48);
    expect(look.background).not.toContain(id);
    // Only gradients, numbers, units and colours: nothing that loads or runs anything.
    expect(look.background).toMatch(/^[a-z0-9 (),.%/-]+$/);
    expect(look.background).not.toMatch(/url|script|expression/i);
    expect(look.initials).toMatch(/^[A-Z]{2}$/);
  });

  it('is laid out for the requested size, within bounds', () => {
    const radii = (size: number): number[] =>
      [...avatarLook('v', size).background.matchAll(/circle ([\d.]+)px/g)].map((m) => Number(m[1]));
    const at64 = radii(64);
    expect(radii(32)).toEqual(at64.map((r) => r / 2));
    expect(radii(1)).toEqual(radii(8));
    expect(radii(10_000)).toEqual(radii(512));
    expect(radii(Number.NaN)).toEqual(radii(40));
  });
});

describe('avatarColors', () => {
  it('is deterministic integer hsl() colours', () => {
    const c = avatarColors('visitor-0001');
    expect(c).toEqual(avatarColors('visitor-0001'));
    for (const value of Object.values(c)) expect(value).toMatch(/^hsl\(\d{1,3},\d{2}%,\d{2}%\)$/);
  });

  it('keeps white initials at WCAG AA contrast (4.5:1) on every colour', () => {
    let worst = Infinity;
    for (const id of ids(3000)) {
      for (const colour of Object.values(avatarColors(id)) as string[]) {
        const [h, s, l] = (/^hsl\((\d+),(\d+)%,(\d+)%\)$/.exec(colour) ?? []).slice(1).map(Number);
        worst = Math.min(worst, contrastWithWhite(h ?? 0, s ?? 0, l ?? 0));
      }
    }
    expect(worst).toBeGreaterThanOrEqual(4.5);
  });

  it('measures contrast as WCAG does', () => {
    // White on black is 21:1, on white 1:1; on #767676 (hsl 0,0%,46%) just over 4.5.
    expect(contrastWithWhite(0, 0, 0)).toBeCloseTo(21, 5);
    expect(contrastWithWhite(0, 0, 100)).toBeCloseTo(1, 5);
    expect(contrastWithWhite(0, 0, 46.3)).toBeCloseTo(4.54, 1);
  });
});
