/**
 * Records kept on a person (training, 绩效, 民主评议, 奖惩) and the rating each kind takes.
 * The rating enums live here once: creating a record and correcting one check against them.
 */
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
