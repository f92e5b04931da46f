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
  // Saturation and lightness stay where white initials remain readable on both stops.
  return {
    from: `hsl(${hue},70%,52%)`,
    to: `hsl(${hue2},75%,42%)`,
    accent: `hsl(${accent},80%,70%)`,
  };
}

/**
 * A round avatar as an SVG string: gradient, two soft blobs and the generated name's initials.
 * Only numbers, fixed words and dictionary initials go into it — never visitor-supplied text —
 * and its ids are derived from the visitor id's hash, so many avatars can be inlined on one page.
 */
export function avatarSvg(visitorId: string, size = 40): string {
  const px = Number.isFinite(size) ? Math.min(512, Math.max(8, Math.round(size))) : 40;
  const { from, to, accent } = avatarColors(visitorId);
  const h = hash53(visitorId, 0xa11);
  const id = `cl${h.toString(36)}`;
  const [colour, animal] = words(visitorId);
  const initials = `${colour.charAt(0)}${animal.charAt(0)}`;
  const x1 = 8 + (h % 48);
  const y1 = 8 + (Math.floor(h / 48) % 20);
  const x2 = 8 + (Math.floor(h / 960) % 48);
  const r1 = 14 + (Math.floor(h / 46080) % 12);
  const r2 = 10 + (Math.floor(h / 552960) % 10);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 64 64">` +
    `<defs><linearGradient id="${id}g" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/>` +
    `</linearGradient><clipPath id="${id}c"><circle cx="32" cy="32" r="32"/></clipPath></defs>` +
    `<g clip-path="url(#${id}c)"><rect width="64" height="64" fill="url(#${id}g)"/>` +
    `<circle cx="${x1}" cy="${y1}" r="${r1}" fill="${accent}" fill-opacity="0.35"/>` +
    `<circle cx="${x2}" cy="${56 - (y1 % 12)}" r="${r2}" fill="#fff" fill-opacity="0.18"/></g>` +
    `<text x="32" y="32" dy="0.35em" text-anchor="middle" fill="#fff" font-size="24" ` +
    `font-weight="600" font-family="system-ui,-apple-system,'Segoe UI',Roboto,sans-serif">` +
    `${initials}</text></svg>`
  );
}
