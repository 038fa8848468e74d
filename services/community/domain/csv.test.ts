import { describe, expect, it } from 'vitest';
import { looksLikeFormula, toCsv } from './csv.js';

/** The one data cell of a one-column export, as a spreadsheet would read it. */
const cellOf = (value: string) =>
  toCsv(['h'], [[value]])
    .slice(1)
    .split('\r\n')[1] as string;

describe('CSV export', () => {
  it('writes a BOM, CRLF line ends and RFC 4180 quoting', () => {
    expect(toCsv(['a', 'b'], [['1', 'x,"y"']])).toBe('\uFEFFa,b\r\n1,"x,""y"""\r\n');
  });

  it('neutralises a cell a spreadsheet could read as a formula, whatever hides its first character', () => {
    const formulas = [
      '=1+1',
      '+1',
      '-1',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
      // Full-width forms that NFKC (and some spreadsheets) turn into the ASCII ones.
      '\uFF1D1+1',
      '\uFF0B1',
      '\uFF0D1',
      '\uFF20SUM(A1)',
      '\uFE621',
      // Invisible format characters before the sign.
      '\u200B=1+1',
      '\uFEFF=1+1',
      '\u2060=1+1',
      '\u00AD@x',
      '\u200B\u200D\uFF1DHYPERLINK("http://x")',
      // Spaces before it, ideographic ones too.
      ' =1',
      '\u3000=1',
    ];
    for (const value of formulas) {
      expect(looksLikeFormula(value), JSON.stringify(value)).toBe(true);
      expect(cellOf(value).replace(/^"/, ''), JSON.stringify(value)).toMatch(/^'/);
    }
  });

  it('leaves ordinary text alone', () => {
    for (const value of ['张三', '合作单位 partner', '2027-03-12T10:00:00+08:00', '139****5678', 'a=b', '']) {
      expect(looksLikeFormula(value), value).toBe(false);
      expect(cellOf(value)).toBe(value);
    }
  });
});
