/**
 * Which pipeline steps (发展党员) to remind of on a day: those with a date by which they must
 * be done, a week before that date (`due-soon`) and once it has passed (`overdue`). Pure;
 * `today` is a parameter. The daily `pipeline-due` schedule (services/talent/pipeline-due.ts)
 * announces each (person, rule, dueOn, phase) once.
 */
import { addDays } from '../../../shared/time.js';
import type { DuePhase } from '../events.js';
import { type DuePerson, type DueStep, dueSteps } from './due.js';

/**
 * 提前 7 天: a week ahead gives the branch one whole working week, with its weekly
 * 支委会, to arrange a talk, a review or a discussion before its date.
 */
export const DUE_SOON_DAYS = 7;

export interface StepReminder extends Omit<DueStep, 'overdue'> {
  phase: DuePhase;
}

/** Rules with no `deadline` whose date is itself the date to act by: 预备期满 is when 转正 is decided. */
const DUE_ON_IS_DEADLINE = new Set(['probation-ended-without-decision']);

/**
 * The date a step must be done by, if it has one. A step that only becomes possible (eligible
 * to become a candidate) or has no date (an activist without a contact person) is the
 * funnel's to show, never a reminder's.
 */
const actBy = (s: Pick<DueStep, 'rule' | 'dueOn' | 'deadline'>): string | undefined =>
  s.deadline ?? (DUE_ON_IS_DEADLINE.has(s.rule) ? s.dueOn : undefined);

/**
 * Every step the person's facts call for, whatever its date: dueSteps lists a step from its
 * `dueOn`, and a step due soon (an application talk: listed the day after its deadline) is
 * not listed yet today.
 */
const ALL_DATES = '9999-12-31';

/**
 * The reminders due today: a step whose date is within DUE_SOON_DAYS (today included) is
 * `due-soon`, one whose date has passed is `overdue`. A step done (the fact recorded, the
 * stage changed) is no longer among the steps, so it stops being reminded of.
 */
export const stepReminders = (p: DuePerson, today: string): StepReminder[] => {
  const soon = addDays(today, DUE_SOON_DAYS);
  const reminders: StepReminder[] = [];
  for (const { overdue: _o, ...step } of dueSteps(p, ALL_DATES)) {
    const by = actBy(step);
    if (by === undefined || by > soon) continue;
    reminders.push({ ...step, phase: by < today ? 'overdue' : 'due-soon' });
  }
  return reminders;
};
