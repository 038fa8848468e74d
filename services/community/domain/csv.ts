/**
 * CSV for Excel users: UTF-8 with a byte-order mark (or Excel shows Chinese names as
 * mojibake), CRLF line ends, RFC 4180 quoting.
 */
const BOM = '\uFEFF';

const cell = (value: string): string => {
  // A cell starting like a formula is neutralised so opening the export cannot run one.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export const toCsv = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  `${BOM}${[header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
