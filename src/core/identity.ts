/**
 * Generated identity of an anonymous visitor: a "Colour Animal" name and a colourful avatar,
 * derived only from the visitor id, so every teammate's browser draws the same lead the same
 * way with no network (SPEC §5).
 *
 * The words come from unique-names-generator's dictionaries, but we index them with our own
 * hash: its `seed` option turns a string seed into the sum of its character codes, so
 * anagrams and most ids of equal length collide (a few thousand distinct names at best), and a
 * numeric seed of 0 silently falls back to Math.random().
 */
import { animals, colors } from 'unique-names-generator';

/**
 * cyrb53: a fast 53-bit string hash. Only Math.imul and 32-bit integer operations, so it is
 * exact and identical in every JavaScript engine.
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function words(visitorId: string): [colour: string, animal: string] {
  const h = hash53(visitorId);
  const colour = colors[h % colors.length] ?? 'grey';
  const animal = animals[Math.floor(h / colors.length) % animals.length] ?? 'fox';
  return [titleCase(colour), titleCase(animal)];
}

/** "Purple Tiger": deterministic from the visitor id (52 colours × 355 animals). */
export function generatedName(visitorId: string): string {
  const [colour, animal] = words(visitorId);
  return `${colour} ${animal}`;
}

/** The avatar's palette: two gradient stops and a tint, as `hsl()` strings with integers. */
export interface AvatarColors {
  from: string;
  to: string;
  accent: string;
}

export function avatarColors(visitorId: string): AvatarColors {
  const h = hash53(visitorId, 0x5eed);
  const hue = h % 360;
  const shift = 40 + (Math.floor(h / 360) % 80);
  const hue2 = (hue + shift) % 360;
  const accent = (hue + 180) % 360;
  // Each colour as light as it may be while white initials on it keep WCAG AA contrast (4.5:1,
  // with a margin for the blobs mixed over it): a yellow must be darker than a blue.
  return {
    from: readableHsl(hue, 70, 52),
    to: readableHsl(hue2, 75, 42),
    accent: readableHsl(accent, 80, 45),
  };
}

/** Contrast white text needs on an avatar (AA is 4.5; the rest is room for the blobs). */
export const AVATAR_CONTRAST = 5;

/** `hsl(h,s%,l%)`, with l lowered until white text on it reaches AVATAR_CONTRAST. */
function readableHsl(hue: number, saturation: number, lightness: number): string {
  let l = lightness;
  while (l > 10 && contrastWithWhite(hue, saturation, l) < AVATAR_CONTRAST) l -= 1;
  return `hsl(${hue},${saturation}%,${l}%)`;
}

/** WCAG contrast ratio of white on an HSL colour. */
export function contrastWithWhite(hue: number, saturation: number, lightness: number): number {
  const s = saturation / 100;
  const l = lightness / 100;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): number => {
    const k = (n + hue / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(8) + 0.0722 * channel(4);
  return 1.05 / (luminance + 0.05);
}

/** A round avatar drawn with CSS: the generated name's initials on layered backgrounds. */
export interface AvatarLook {
  initials: string;
  /** CSS `background`: a gradient and two soft blobs. */
  background: string;
}

/**
 * A lead's avatar: gradient, two soft blobs and the generated name's initials, laid out for a
 * `size`-pixel circle. Only numbers, colours and dictionary initials go into it — never
 * visitor-supplied text. Drawn with CSS rather than an image: every SVG image is a document of
 * its own to the browser (milliseconds each), and a busy list shows new leads many times a second.
 */
export function avatarLook(visitorId: string, size = 40): AvatarLook {
  const px = Number.isFinite(size) ? Math.min(512, Math.max(8, Math.round(size))) : 40;
  const { from, to, accent } = avatarColors(visitorId);
  const h = hash53(visitorId, 0xa11);
  const [colour, animal] = words(visitorId);
  // Drawn on a 64-unit square, scaled to the size asked for.
  const unit = (n: number): string => `${String(Math.round((n * px * 100) / 64) / 100)}px`;
  const blob = (x: number, y: number, r: number, fill: string): string =>
    `radial-gradient(circle ${unit(r)} at ${unit(x)} ${unit(y)}, ${fill} 98%, transparent 100%)`;
  const x1 = 8 + (h % 48);
  const y1 = 8 + (Math.floor(h / 48) % 20);
  const x2 = 8 + (Math.floor(h / 960) % 48);
  const r1 = 14 + (Math.floor(h / 46080) % 12);
  const r2 = 10 + (Math.floor(h / 552960) % 10);
  return {
    initials: `${colour.charAt(0)}${animal.charAt(0)}`,
    background: [
      blob(x1, y1, r1, `color-mix(in srgb, ${accent} 35%, transparent)`),
      // A shade, not a highlight: nothing under the initials is lighter than the gradient.
      blob(x2, 56 - (y1 % 12), r2, 'rgb(0 0 0 / 0.14)'),
      `linear-gradient(135deg, ${from}, ${to})`,
    ].join(', '),
  };
}
