import { describe, expect, it } from 'vitest';
import { nextPartnerStatus, normaliseOrgName } from './partners.js';

describe('partner rules', () => {
  it('treats full-width, spacing and case variants as one organisation name', () => {
    expect(normaliseOrgName(' 福建（厦门）  Acme 科技有限公司 ')).toBe(
      normaliseOrgName('福建(厦门)ACME科技有限公司'),
    );
    expect(normaliseOrgName('甲公司')).not.toBe(normaliseOrgName('乙公司'));
  });

  it('moves through the statuses and refuses the rest', () => {
    expect(nextPartnerStatus('pending', 'approve')).toBe('approved');
    expect(nextPartnerStatus('approved', 'suspend')).toBe('suspended');
    expect(nextPartnerStatus('pending', 'reject')).toBe('rejected');
    expect(() => nextPartnerStatus('approved', 'approve')).toThrow(expect.objectContaining({ kind: 'conflict' }));
    expect(() => nextPartnerStatus('suspended', 'approve')).toThrow(
      expect.objectContaining({ code: 'partner-status-conflict' }),
    );
  });
});
