/** What resources tells the platform (source `dangjian.resources`). */
import * as z from 'zod';
import { defineEvent } from '../../shared/events/contract.js';
import { exportedBy } from '../../shared/exports.js';
import { isoDate, isoDateTime } from '../../shared/schemas.js';

const RESOURCES = 'resources';

export const resourceKinds = ['document', 'video', 'audio', 'policy', 'meeting-spirit', 'link'] as const;

/** A resource became available to its audience (upload checked, or a link created). */
export const ResourcePublished = defineEvent(
  RESOURCES,
  'ResourcePublished',
  z.object({
    resourceId: z.string(),
    title: z.string(),
    kind: z.enum(resourceKinds),
    tags: z.array(z.string()),
    audience: z.object({ branchIds: z.array(z.string()).optional() }),
  }),
);

export const StudyAssigned = defineEvent(
  RESOURCES,
  'StudyAssigned',
  z.object({
    assignmentId: z.string(),
    resourceId: z.string(),
    title: z.string(),
    dueOn: isoDate,
    branchIds: z.array(z.string()),
    personIds: z.array(z.string()),
  }),
);

/** The first completion of a resource by a person, with the minutes studied in total. */
export const StudyCompleted = defineEvent(
  RESOURCES,
  'StudyCompleted',
  z.object({
    resourceId: z.string(),
    title: z.string(),
    personId: z.string(),
    minutes: z.number().int().nonnegative(),
    completedAt: isoDateTime,
  }),
);

export const AssessmentGraded = defineEvent(
  RESOURCES,
  'AssessmentGraded',
  z.object({
    assessmentId: z.string(),
    attemptId: z.string(),
    title: z.string(),
    personId: z.string(),
    score: z.number().min(0).max(100),
    passed: z.boolean(),
    gradedAt: isoDateTime,
  }),
);

/**
 * An assessment (考核) opened to its audience: it may be taken from now on. No `branchIds`
 * means everyone; otherwise the party members of those branches.
 */
export const AssessmentOpened = defineEvent(
  RESOURCES,
  'AssessmentOpened',
  z.object({
    assessmentId: z.string(),
    title: z.string(),
    resourceId: z.string().optional(),
    audience: z.object({ branchIds: z.array(z.string()).optional() }),
  }),
);

/** An export of personal data was made here (an audited read): talent's audit log keeps it. */
export const PersonalDataExported = exportedBy('resources');

export const resourcesEvents = [
  ResourcePublished,
  StudyAssigned,
  StudyCompleted,
  AssessmentGraded,
  AssessmentOpened,
  PersonalDataExported,
];
