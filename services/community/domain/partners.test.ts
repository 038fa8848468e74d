import { describe, expect, it } from 'vitest';
import { nextPartnerStatus, normaliseOrgName } from './partners.js';

describe('partner rules', () => {
  it('treats full-width, spacing and case variants as one organisation name', () => {
    expect(normaliseOrgName(' 福建（厦门）  Acme 科技有限公司 ')).toBe(
      normaliseOrgName('福建(厦门)ACME科技有限公司'),
    );
    expect(normaliseOrgName('甲公司')).not.toBe(normaliseOrgName('乙公司'));
  });

  it('ignores invisible format characters, so a name cannot be told apart by what nobody sees', () => {
    const name = '厦门检测服务有限公司';
    for (const hidden of ['\u200B', '\u00AD', '\u2060', '\uFEFF', '\u200C', '\u200D', '\u180E', '\u3164']) {
      expect(normaliseOrgName(`厦门${hidden}检测服务有限公司`), JSON.stringify(hidden)).toBe(
        normaliseOrgName(name),
      );
    }
    // Whitespace of any kind (ideographic, no-break), and Latin case.
    expect(normaliseOrgName('Acme\u3000科技\u00A0有限公司')).toBe(normaliseOrgName('ACME 科技有限公司'));
    expect(normaliseOrgName('ＡＣＭＥ')).toBe('acme');
  });

  it('moves through the statuses and refuses the rest', () => {
    expect(nextPartnerStatus('pending', 'approve')).toEqual({ ok: true, value: 'approved' });
    expect(nextPartnerStatus('approved', 'suspend')).toEqual({ ok: true, value: 'suspended' });
    expect(nextPartnerStatus('pending', 'reject')).toEqual({ ok: true, value: 'rejected' });
    expect(nextPartnerStatus('approved', 'approve')).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'conflict', code: 'partner-status-conflict' }),
    });
    expect(nextPartnerStatus('suspended', 'approve')).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'partner-status-conflict', details: { status: 'suspended' } }),
    });
  });
});
