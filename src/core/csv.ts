/**
 * CSV as spreadsheets expect it (RFC 4180): comma separated, CRLF line ends, a field quoted
 * when it holds a comma, quote or line break, quotes doubled. Visitor-supplied text that a
 * spreadsheet would run as a formula (starting with = + - @, tab or carriage return) gets a
 * leading apostrophe, so opening an export never executes anything.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue, untrusted = true): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (untrusted && typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map((v) => csvField(v)).join(',') + '\r\n';
}
