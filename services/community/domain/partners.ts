import { accept, conflict, type Result, refuse } from '../../../shared/errors.js';

export const partnerStatuses = ['pending', 'approved', 'suspended', 'rejected'] as const;
export type PartnerStatus = (typeof partnerStatuses)[number];

/**
 * What cannot tell two organisation names apart: format characters (U+200B, U+00AD, U+2060,
 * U+FEFF, any `\p{Cf}`) and the other default-ignorable code points (U+3164…), which show
 * as nothing.
 */
const invisible = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * The same organisation spelled twice: full-width vs half-width characters (NFKC), invisible
 * characters, Latin case and any whitespace do not make a different name.
 * "（北京）科技有限公司" = "(北京)科技有限公司" = "(北京)科技\u200B有限公司".
 */
export const normaliseOrgName = (name: string): string =>
  name.replace(invisible, '').normalize('NFKC').replace(invisible, '').replace(/\s+/gu, '').toLowerCase();

const transitions: Record<string, { from: readonly PartnerStatus[]; to: PartnerStatus }> = {
  approve: { from: ['pending'], to: 'approved' },
  suspend: { from: ['pending', 'approved'], to: 'suspended' },
  reject: { from: ['pending'], to: 'rejected' },
};

export type PartnerCommand = keyof typeof transitions & ('approve' | 'suspend' | 'reject');

/** The status a command leads to, or the refusal naming why it cannot apply. */
export const nextPartnerStatus = (current: PartnerStatus, command: PartnerCommand): Result<PartnerStatus> => {
  const t = transitions[command] as { from: readonly PartnerStatus[]; to: PartnerStatus };
  return t.from.includes(current)
    ? accept(t.to)
    : refuse(
        conflict('partner-status-conflict', `A ${current} partner cannot be ${command}d`, {
          status: current,
        }),
      );
};
