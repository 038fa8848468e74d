/**
 * CSV for Excel users: UTF-8 with a byte-order mark (or Excel shows Chinese names as
 * mojibake), CRLF line ends, RFC 4180 quoting.
 */
const BOM = '\uFEFF';

/** What a spreadsheet may skip before reading a cell: format characters (U+200B, U+FEFF, U+2060, U+00AD…) and spaces. */
const invisibleLead = /^[\p{Cf}\p{White_Space}]+/u;
const formulaStart = /^[=+\-@]/;

/**
 * A cell a spreadsheet could take for a formula (or a DDE call): one that starts with
 * `= + - @`, a tab or a CR, also once leading format characters and spaces are skipped and
 * full-width forms (＝＋－＠) are folded to ASCII (NFKC).
 */
export const looksLikeFormula = (value: string): boolean =>
  /^[=+\-@\t\r]/.test(value) ||
  formulaStart.test(value.replace(invisibleLead, '').normalize('NFKC').replace(invisibleLead, ''));

const cell = (value: string): string => {
  // A cell that could start a formula is neutralised so opening the export cannot run one.
  const safe = looksLikeFormula(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export const toCsv = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  `${BOM}${[header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
