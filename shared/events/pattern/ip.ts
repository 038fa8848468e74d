/**
 * IP addresses as event-ruler reads them. Ruler hands anything that looks like an address
 * to Java's `InetAddress`, so these follow Java's literal syntax rather than the WHATWG or
 * Node one: dotted-quad octets are decimal even with leading zeros (`010.0.0.1` is
 * 10.0.0.1, not octal), and an IPv4-mapped IPv6 literal (`::ffff:a00:1`) is the IPv4
 * address itself.
 */

// event-ruler's own shape tests (Constants.IPv4_REGEX / IPv6_REGEX): only strings passing
// them are ever treated as addresses, whatever a full parser would accept.
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

export type IpBytes = readonly number[];

const parseV4 = (text: string): IpBytes | undefined => {
  const bytes: number[] = [];
  for (const part of text.split('.')) {
    // Leading zeros are allowed and harmless: Number('0000010') is 10, and a long run of
    // digits simply exceeds 255.
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
};

const parseGroups = (text: string): number[] | undefined => {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!HEX_GROUP.test(group)) return undefined;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
};

const parseV6 = (text: string): IpBytes | undefined => {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const given = head.length + tail.length;
  // Without '::' all eight groups are spelled out; with it, it stands for at least one.
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - given).fill(0), ...tail];
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
};

/** Whether ruler would try to read `text` as an address at all. */
export const looksLikeIp = (text: string): boolean => IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);

/** The address bytes (4 or 16) of an IP literal, or undefined if `text` is not one. */
export const ipBytes = (text: string): IpBytes | undefined => {
  if (IPV4_SHAPE.test(text)) return parseV4(text);
  if (IPV6_SHAPE.test(text)) return parseV6(text);
  return undefined;
};

const compareBytes = (a: IpBytes, b: IpBytes): number => {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
};

export const sameAddress = (a: IpBytes, b: IpBytes): boolean =>
  a.length === b.length && compareBytes(a, b) === 0;

export interface IpRange {
  readonly low: IpBytes;
  readonly high: IpBytes;
}

export const inRange = (range: IpRange, address: IpBytes): boolean =>
  address.length === range.low.length &&
  compareBytes(range.low, address) <= 0 &&
  compareBytes(address, range.high) <= 0;

// What Java's Integer.parseInt accepts for the mask: an optional sign and ASCII digits.
const MASK = /^[+-]?[0-9]+$/;

/**
 * Parses a `cidr` operand into the range it covers, or returns the reason ruler refuses it.
 * Host bits are floored (`10.0.0.5/24` is 10.0.0.0–10.0.0.255, as in ruler ≥ 1.7), and
 * ruler caps the mask below the full width: `/32` and `/128` are refused.
 */
export const parseCidr = (operand: string): IpRange | string => {
  const parts = operand.split('/');
  if (parts.length !== 2) return "Malformed CIDR, one '/' required";
  const [address = '', mask = ''] = parts;
  if (!MASK.test(mask) || Math.abs(Number(mask)) > 2 ** 31 - 1)
    return 'Malformed CIDR, mask bits must be an integer';
  const bits = Number(mask);
  if (bits < 0) return 'Malformed CIDR, mask bits must not be negative';
  if (!looksLikeIp(address)) return `Nonstandard IP address: ${address}`;
  const base = ipBytes(address);
  if (base === undefined) return `Invalid IP address: ${address}`;
  if (base.length === 4 && bits > 31) return 'IPv4 mask bits must be < 32';
  if (base.length === 16 && bits > 127) return 'IPv6 mask bits must be < 128';
  const low: number[] = [];
  const high: number[] = [];
  base.forEach((byte, i) => {
    const fixed = Math.max(0, Math.min(8, bits - i * 8));
    const hostMask = 0xff >> fixed;
    low.push(byte & ~hostMask & 0xff);
    high.push(byte | hostMask);
  });
  return { low, high };
};
