import { describe, expect, it } from 'vitest';
import { creditCodeCheckCharacter, isValidCreditCode } from './credit-code.js';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts published valid codes', () => {
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91110000600037341L')).toBe(true);
  });

  it('computes the check character from the first 17 characters', () => {
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckCharacter('91110000600037341')).toBe('L');
  });

  it.each([
    ['a wrong check character', '91350100M000100Y44'],
    ['17 characters', '91350100M000100Y4'],
    ['19 characters', '91350100M000100Y433'],
    ['a letter outside the alphabet (I)', '91350100I000100Y43'],
    ['a letter outside the alphabet (O)', '9135010OM000100Y43'],
    ['lower case', '91350100m000100y43'],
    ['an empty string', ''],
  ])('refuses %s', (_name, code) => {
    expect(isValidCreditCode(code)).toBe(false);
  });

  it('catches any single changed character', () => {
    const valid = '91350100M000100Y43';
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (let i = 0; i < 18; i++) {
      for (const c of alphabet) {
        if (c === valid[i]) continue;
        expect(isValidCreditCode(valid.slice(0, i) + c + valid.slice(i + 1))).toBe(false);
      }
    }
  });
});
