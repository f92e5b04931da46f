/**
 * A region code's English name from the browser's own data (`DE` → Germany; '' when it has
 * none). Apart from geo.ts so the page, which names the countries the workers found, carries
 * no timezone tables.
 */
let names: Intl.DisplayNames | null | undefined;

export function regionName(code: string): string {
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    } catch {
      names = null;
    }
  }
  try {
    return names?.of(code) ?? '';
  } catch {
    return '';
  }
}
