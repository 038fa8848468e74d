import { accept, conflict, type Result, refuse } from '../../../shared/errors.js';

export const partnerStatuses = ['pending', 'approved', 'suspended', 'rejected'] as const;
export type PartnerStatus = (typeof partnerStatuses)[number];

/** Statuses that hold the organisation's credit code and name: no second application meanwhile. */
export const holdsIdentity = (status: PartnerStatus): boolean =>
  status === 'pending' || status === 'approved';

/**
 * The same organisation spelled twice: full-width vs half-width characters (NFKC), case,
 * and any whitespace do not make a different name. "（北京）科技有限公司" = "(北京)科技有限公司".
 */
export const normaliseOrgName = (name: string): string =>
  name.normalize('NFKC').replace(/\s+/gu, '').toLowerCase();

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
