/** A country code by name, in English (`DE` → Germany), from the browser's own data. */
let names: Intl.DisplayNames | undefined;

export function countryLabel(code: string): string {
  try {
    names ??= new Intl.DisplayNames(['en'], { type: 'region' });
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}
