/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a
 * 31-character alphabet (no I, O, Z, S, V); the last is a check character computed from the
 * first 17 with fixed weights 3^i mod 31.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export const creditCodeShape = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/** The check character for the first 17 characters, or undefined if one is outside the alphabet. */
export const creditCodeCheckCharacter = (first17: string): string | undefined => {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i] as string);
    if (value < 0) return undefined;
    sum += value * (WEIGHTS[i] as number);
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
};

export const isValidCreditCode = (code: string): boolean =>
  creditCodeShape.test(code) && creditCodeCheckCharacter(code.slice(0, 17)) === code[17];
