import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../../src/core/csv.ts';

describe('CSV', () => {
  it.each<[string | number | boolean | null | undefined, string]>([
    ['plain', 'plain'],
    ['with, comma', '"with, comma"'],
    ['with "quotes"', '"with ""quotes"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [-5, '-5'],
    [true, 'true'],
    ['=HYPERLINK("http://evil.example")', `"'=HYPERLINK(""http://evil.example"")"`],
    ['+1 555', "'+1 555"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['Ünïcødé 名前', 'Ünïcødé 名前'],
  ])('%j → %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('ends lines with CRLF', () => {
    expect(csvLine(['a', 1, 'b,c'])).toBe('a,1,"b,c"\r\n');
  });
});
