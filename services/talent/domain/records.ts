/**
 * Records kept on a person (training, 绩效, 民主评议, 奖惩) and the rating each kind takes.
 * The rating enums live here once: creating a record and correcting one check against them.
 * A record is never deleted: a mistaken one is withdrawn, with a reason, and stays on file.
 */
import { accept, conflict, DomainError, type Result, refuse } from '../../../shared/errors.js';

export const recordKinds = ['training', 'performance', 'evaluation', 'reward', 'discipline'] as const;
export type RecordKind = (typeof recordKinds)[number];

/** 绩效: 优秀/称职/基本称职/不称职. */
export const performanceRatings = ['excellent', 'competent', 'basically-competent', 'incompetent'] as const;
/** 民主评议: 优秀/合格/基本合格/不合格. */
export const evaluationRatings = ['excellent', 'qualified', 'basically-qualified', 'unqualified'] as const;

/** The ratings a kind takes; a kind that takes ratings needs one, the others take none. */
export const ratingsOf: Record<RecordKind, readonly string[] | undefined> = {
  training: undefined,
  performance: performanceRatings,
  evaluation: evaluationRatings,
  reward: undefined,
  discipline: undefined,
};

/** Why `rating` does not fit a record of `kind`, or undefined when it does. */
export const ratingProblem = (kind: RecordKind, rating: string | undefined): string | undefined => {
  const allowed = ratingsOf[kind];
  if (!allowed) return rating === undefined ? undefined : `A ${kind} record takes no rating`;
  if (rating === undefined) return `A ${kind} record needs a rating`;
  return allowed.includes(rating) ? undefined : `A ${kind} rating is one of: ${allowed.join(', ')}`;
};

/**
 * 奖励 and 处分 are the committee's decisions (党委决定): only the committee enters, corrects
 * or withdraws them, even on people of a secretary's own branch.
 */
export const committeeOnlyKinds: readonly RecordKind[] = ['reward', 'discipline'];

/** Whether the caller's roles may act on a record of `kind`; the refusal names the rule. */
export const checkRecordAuthority = (kind: RecordKind, byCommittee: boolean): Result<RecordKind> =>
  byCommittee || !committeeOnlyKinds.includes(kind)
    ? accept(kind)
    : refuse(
        new DomainError(
          'forbidden',
          'record-kind-committee-only',
          `A ${kind} record is entered, corrected and withdrawn by the committee only`,
        ),
      );

/** A withdrawn record is kept as it was, marked; it is never changed or withdrawn again. */
export const checkNotWithdrawn = <R extends { withdrawnAt?: string }>(record: R): Result<R> =>
  record.withdrawnAt === undefined
    ? accept(record)
    : refuse(conflict('record-withdrawn', `the record was withdrawn at ${record.withdrawnAt}`));
