import { describe, expect, it } from 'vitest';
import { maskEmail, maskPhone } from './pii.js';

describe('masking contact details', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+8613812345678', '+86138****5678'],
    ['138 1234 5678', '138****5678'],
    ['0571-8765432', '057****5432'],
    ['87654321', '****4321'],
    ['123', '****'],
  ])('phone %s → %s', (phone, masked) => expect(maskPhone(phone)).toBe(masked));

  it.each([
    ['zhangsan@example.cn', 'z***@example.cn'],
    ['a@b.cn', 'a***@b.cn'],
    ['broken', '***'],
  ])('e-mail %s → %s', (email, masked) => expect(maskEmail(email)).toBe(masked));

  it('never shows the middle digits of a mainland mobile number', () => {
    expect(maskPhone('13812345678')).not.toContain('1234');
  });
});
