/**
 * Assessments (考核): question banks, attempts served without answers, grading on the
 * server. Pure: "now" and the randomness come in as parameters.
 */
import { type Caller, hasRole } from '../../../shared/auth.js';
import { accept, badRequest, conflict, type Result, refuse } from '../../../shared/errors.js';
import { type Audience, inAudience, managesResource } from './library.js';

export const questionKinds = ['single', 'multiple', 'true-false'] as const;
export type QuestionKind = (typeof questionKinds)[number];

/** single: the index of the right option; multiple: all right indexes; true-false: a boolean. */
export type Answer = number | number[] | boolean;

export interface Question {
  questionId: string;
  kind: QuestionKind;
  prompt: string;
  options: string[];
  answer: Answer;
}

export interface Assessment {
  assessmentId: string;
  title: string;
  resourceId?: string;
  passMark: number;
  timeLimitMinutes: number;
  maxAttempts: number;
  questions: Question[];
  /** Who may take it: the resource's audience, or the secretary's branch. */
  audience: Audience;
  createdBy: string;
  createdAt: string;
}

/** What lists and reads show of an assessment: no questions (an attempt serves them, shuffled). */
export type AssessmentSummary = Omit<Assessment, 'questions'> & { questionCount: number };

export const summaryOf = ({ questions, ...rest }: Assessment): AssessmentSummary => ({
  ...rest,
  questionCount: questions.length,
});

/** Who may take (and so read) an assessment: its audience, or whoever manages that audience. */
export const mayTake = (caller: Caller, assessment: Pick<Assessment, 'audience'>): boolean =>
  inAudience(caller, assessment.audience) || managesResource(caller, assessment);

/**
 * Which assessments a caller's list holds. The committee sees all. Anyone else sees the
 * institution-wide ones and those for their branch: exactly `mayTake`, since a secretary
 * manages only audiences made of their own branch, which already includes them.
 */
export type AssessmentScope = { kind: 'all' } | { kind: 'audience'; branchId: string | undefined };

export const assessmentScope = (caller: Caller): AssessmentScope =>
  hasRole(caller, 'committee') ? { kind: 'all' } : { kind: 'audience', branchId: caller.branchId };

/** How many attempts the caller has left, never below zero (a lowered limit cannot go negative). */
export const attemptsLeft = (maxAttempts: number, used: number): number => Math.max(0, maxAttempts - used);

export interface QuestionInput {
  kind: QuestionKind;
  prompt: string;
  options?: string[] | undefined;
  answer: Answer;
}

const TRUE_FALSE_OPTIONS = ['正确', '错误'];

/** A question as the bank keeps it, or why it cannot be answered. */
const questionOf = (input: QuestionInput, index: number): Result<Question> => {
  const field = `body.questions.${index}`;
  const invalid = (message: string) =>
    refuse(badRequest('invalid-question', message, { fields: [{ field, message }] }));
  const options = input.options ?? [];
  const questionId = `q${index + 1}`;
  if (input.kind === 'true-false') {
    if (typeof input.answer !== 'boolean') return invalid('A true-false answer is true or false');
    if (input.options !== undefined) return invalid('A true-false question takes no options');
    return accept({
      questionId,
      kind: input.kind,
      prompt: input.prompt,
      options: TRUE_FALSE_OPTIONS,
      answer: input.answer,
    });
  }
  if (options.length < 2) return invalid('A choice question needs at least two options');
  if (new Set(options).size !== options.length) return invalid('Options must differ');
  const isIndex = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < options.length;
  if (input.kind === 'single') {
    if (!isIndex(input.answer)) return invalid('A single-choice answer is the index of one option');
    return accept({ questionId, kind: input.kind, prompt: input.prompt, options, answer: input.answer });
  }
  const answer = input.answer;
  if (!Array.isArray(answer) || answer.length === 0 || !answer.every(isIndex)) {
    return invalid('A multiple-choice answer lists the indexes of the right options');
  }
  if (new Set(answer).size !== answer.length) return invalid('An option is named twice in the answer');
  return accept({
    questionId,
    kind: input.kind,
    prompt: input.prompt,
    options,
    answer: [...answer].sort((a, b) => a - b),
  });
};

/** Each kind's answer must fit its options; a bank with an unanswerable question is refused. */
export const buildQuestions = (inputs: QuestionInput[]): Result<Question[]> => {
  const questions: Question[] = [];
  for (const [index, input] of inputs.entries()) {
    const question = questionOf(input, index);
    if (!question.ok) return question;
    questions.push(question.value);
  }
  return accept(questions);
};

/** Fisher–Yates with an injected source of [0, 1) numbers, so tests can fix the order. */
export const shuffle = <T>(items: readonly T[], random: () => number): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

/** What a person taking the assessment sees of a question: never the answer. */
export const withoutAnswer = ({ questionId, kind, prompt, options }: Question) => ({
  questionId,
  kind,
  prompt,
  options,
});

export interface Attempt {
  attemptId: string;
  assessmentId: string;
  personId: string;
  branchId?: string;
  order: string[];
  startedAt: string;
  deadline: string;
  submittedAt?: string;
  score?: number;
  passed?: boolean;
}

export const deadlineOf = (startedAt: Date, timeLimitMinutes: number): Date =>
  new Date(startedAt.getTime() + timeLimitMinutes * 60_000);

const isRight = (question: Question, given: Answer | undefined): boolean => {
  if (given === undefined) return false;
  switch (question.kind) {
    case 'true-false':
      return given === question.answer;
    case 'single':
      return given === question.answer;
    case 'multiple': {
      // All or nothing: exactly the right set of options, in any order.
      if (!Array.isArray(given)) return false;
      const right = question.answer as number[];
      const chosen = [...new Set(given)].sort((a, b) => a - b);
      return chosen.length === right.length && chosen.every((c, i) => c === right[i]);
    }
  }
};

/** A submission must come in time and only once; answers may only name the bank's questions. */
export const checkSubmission = (
  attempt: Attempt,
  answers: Record<string, Answer>,
  questions: Question[],
  now: Date,
): Result<Attempt> => {
  if (attempt.submittedAt) {
    return refuse(conflict('attempt-already-submitted', 'This attempt was already submitted'));
  }
  if (now.getTime() > Date.parse(attempt.deadline)) {
    return refuse(conflict('attempt-deadline-passed', `The time limit ended at ${attempt.deadline}`));
  }
  const known = new Set(questions.map((q) => q.questionId));
  const unknown = Object.keys(answers).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    return refuse(
      badRequest('unknown-question', 'Answers name questions that are not in this assessment', {
        fields: unknown.map((id) => ({ field: `body.answers.${id}`, message: 'Unknown question' })),
      }),
    );
  }
  return accept(attempt);
};

/** Score 0–100 (rounded to one decimal), each question weighing the same. */
export const grade = (questions: Question[], answers: Record<string, Answer>, passMark: number) => {
  const correct = questions.filter((q) => isRight(q, answers[q.questionId])).length;
  const score = questions.length === 0 ? 0 : Math.round((correct * 1000) / questions.length) / 10;
  return { correct, total: questions.length, score, passed: score >= passMark };
};

export interface GradedAttempt {
  personId: string;
  branchId?: string;
  score: number;
  passed: boolean;
}

/** Per person the best score and whether any attempt passed; the pass rate over people who were graded. */
export const results = (attempts: GradedAttempt[]) => {
  const people = new Map<
    string,
    { personId: string; branchId?: string; bestScore: number; passed: boolean; attempts: number }
  >();
  for (const a of attempts) {
    const held = people.get(a.personId);
    if (!held) {
      people.set(a.personId, {
        personId: a.personId,
        ...(a.branchId ? { branchId: a.branchId } : {}),
        bestScore: a.score,
        passed: a.passed,
        attempts: 1,
      });
    } else {
      held.bestScore = Math.max(held.bestScore, a.score);
      held.passed ||= a.passed;
      held.attempts++;
    }
  }
  const list = [...people.values()].sort(
    (a, b) => b.bestScore - a.bestScore || a.personId.localeCompare(b.personId),
  );
  const rate = (group: { passed: boolean }[]) => {
    const passed = group.filter((p) => p.passed).length;
    return {
      graded: group.length,
      passed,
      passRate: group.length === 0 ? 0 : Math.round((passed * 1000) / group.length) / 1000,
    };
  };
  const branchIds = [...new Set(list.map((p) => p.branchId ?? ''))].sort();
  return {
    ...rate(list),
    branches: branchIds.map((branchId) => ({
      ...(branchId ? { branchId } : {}),
      ...rate(list.filter((p) => (p.branchId ?? '') === branchId)),
    })),
    people: list,
  };
};

/** The latest and the best of a person's graded attempts (none while nothing was submitted). */
export const resultsOf = <A extends { submittedAt?: string; score?: number }>(attempts: readonly A[]) => {
  const graded = attempts
    .filter((a) => a.submittedAt !== undefined && a.score !== undefined)
    .sort((a, b) => ((a.submittedAt as string) < (b.submittedAt as string) ? -1 : 1));
  const best = graded.reduce<A | undefined>(
    (top, a) => (top === undefined || (a.score as number) > (top.score as number) ? a : top),
    undefined,
  );
  return { last: graded.at(-1), best };
};

/** One person's line in the results register (考核成绩): their graded attempts summed up. */
export interface PersonResult {
  personId: string;
  branchId?: string;
  /** Submitted (graded) attempts, as the results count them. */
  attempts: number;
  bestScore: number;
  latestScore: number;
  /** Any attempt passed. */
  passed: boolean;
  lastSubmittedAt: string;
}

/**
 * The people the results show (those with a graded attempt), each with their best and
 * latest score, in the results' order: best score first, then by person.
 */
export const personResults = (attempts: readonly Attempt[]): PersonResult[] => {
  const byPerson = new Map<string, Attempt[]>();
  for (const a of attempts) {
    if (a.submittedAt === undefined || a.score === undefined) continue;
    byPerson.set(a.personId, [...(byPerson.get(a.personId) ?? []), a]);
  }
  return [...byPerson.entries()]
    .map(([personId, mine]): PersonResult => {
      const { last, best } = resultsOf(mine);
      const first = mine[0] as Attempt;
      return {
        personId,
        // The branch the results count the person in: their first attempt's, as `results` does.
        ...(first.branchId ? { branchId: first.branchId } : {}),
        attempts: mine.length,
        bestScore: best?.score as number,
        latestScore: last?.score as number,
        passed: mine.some((a) => a.passed === true),
        lastSubmittedAt: last?.submittedAt as string,
      };
    })
    .sort((a, b) => b.bestScore - a.bestScore || a.personId.localeCompare(b.personId));
};
