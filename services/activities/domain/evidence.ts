/**
 * An activity's evidence (佐证材料): the photos, the scanned sign-in sheet, the slides and the
 * minutes as a file that an inspection of 三会一课 asks for. What may be attached, how many,
 * what the check of an upload (shared/storage/upload.ts, the flow study files and
 * announcements' attachments go through too) changes on it, and what a download serves.
 * Pure: no AWS, no clock.
 */
import { accept, type Result, ruleViolation } from '../../../shared/errors.js';
import { type CheckedFile, checkDeclaredFile, fileObjectKeys } from '../../../shared/storage/checked-file.js';
import type { DeclaredFile } from '../../../shared/storage/upload.js';
import type { ActivityType } from '../events.js';
import { type Activity, requireScheduled } from './activity.js';

/** photo — 活动照片; sign-in-sheet — 签到表; slides — 课件; minutes — 会议记录; other — 其他. */
export const evidenceKinds = ['photo', 'sign-in-sheet', 'slides', 'minutes', 'other'] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];

/** uploading → available (accepted by the check: counts as evidence), or rejected. */
export { checkedFileStatuses as evidenceStatuses } from '../../../shared/storage/checked-file.js';

/** Pictures, PDF and Office documents: what a branch photographs, scans or presents. */
export const evidenceTypes = [
  'image/png',
  'image/jpeg',
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;

/** A meeting's files: a day's photos and a few documents; more than this is an archive, not evidence. */
export const MAX_EVIDENCE = 30;

/** 50 MB: a scanned sign-in sheet or a slide deck, well below the stage's limit for videos. */
export const EVIDENCE_LIMIT_BYTES = 50 * 1024 * 1024;

/** One file; its upload form's key is `evidence/<activityId>/<attachmentId>`. */
export interface Evidence extends CheckedFile {
  activityId: string;
  attachmentId: string;
  kind: EvidenceKind;
  createdBy: string;
  createdAt: string;
}

const objectKeys = fileObjectKeys('evidence', 'activityId');

export const evidenceKeyOf = objectKeys.keyOf;

/** `evidence/<ULID>/<ULID>` → the two ids; anything else is not one of ours. */
export const evidenceIdsOfKey = objectKeys.idsOfKey;

/** One checked copy per event that made it, outside `evidence/`, where no form writes. */
export const evidenceCopyKeyOf = objectKeys.copyKeyOf;

/** Every checked copy an attachment's checks made: removed with it. */
export const evidenceCopiesOf = (f: Pick<Evidence, 'activityId' | 'attachmentId'>) =>
  objectKeys.copiesOf(f.activityId, f.attachmentId);

/**
 * Evidence is added while the meeting is prepared and, mostly, once it was held; a cancelled
 * activity was not held and has nothing to prove.
 */
export const takesEvidence = (a: Activity): Result<Activity> =>
  a.status === 'cancelled' ? requireScheduled(a, 'add evidence to it') : accept(a);

/** The declared file, if its type is one evidence takes and it is within the cap. */
export const checkNewEvidence = (file: DeclaredFile, uploadLimitBytes: number): Result<DeclaredFile> =>
  checkDeclaredFile(file, evidenceTypes, Math.min(uploadLimitBytes, EVIDENCE_LIMIT_BYTES));

/** The refusal when the activity holds `MAX_EVIDENCE` files already (the store's condition says so). */
export const tooMuchEvidence = () =>
  ruleViolation('too-many-attachments', `An activity holds at most ${MAX_EVIDENCE} attachments`, {
    limit: MAX_EVIDENCE,
  });

/** Its managers see every file with its state (a file waiting or refused is theirs to fix); others the accepted ones. */
export const evidenceSeenBy = (manages: boolean, files: readonly Evidence[]): Evidence[] =>
  manages ? [...files] : files.filter((f) => f.status === 'available');

/** What a download serves: as for every checked upload (the verdict: shared/storage/reported.ts). */
export { downloadableFile as downloadableEvidence } from '../../../shared/storage/checked-file.js';

/** How many accepted files each activity has (the branch's evidence tally), 0 for those without. */
export type EvidenceTally = Readonly<Record<string, number>>;

export const evidenceOf = (tally: EvidenceTally, activityId: string): number =>
  Math.max(0, tally[activityId] ?? 0);

/** A held meeting, as compliance lists it. */
export interface HeldMeeting {
  activityId: string;
  type: ActivityType;
  partyGroupId?: string;
  title: string;
  /** Local date it was held. */
  heldOn: string;
}

/**
 * What an inspection would ask of a branch's held meetings: which have evidence (at least
 * one accepted file) and, per type, how many lack it. Every held activity counts, of a type
 * with a cadence or not: each is on the record an inspection reads.
 */
export const evidenceCompliance = (held: readonly HeldMeeting[], tally: EvidenceTally) => {
  const meetings = held.map((m) => {
    const evidence = evidenceOf(tally, m.activityId);
    return { ...m, evidence, hasEvidence: evidence > 0 };
  });
  const types = [...new Set(meetings.map((m) => m.type))].sort().map((type) => {
    const ofType = meetings.filter((m) => m.type === type);
    const withoutEvidence = ofType.filter((m) => !m.hasEvidence).length;
    return { type, held: ofType.length, withEvidence: ofType.length - withoutEvidence, withoutEvidence };
  });
  const withoutEvidence = meetings.filter((m) => !m.hasEvidence).length;
  return {
    held: meetings.length,
    withEvidence: meetings.length - withoutEvidence,
    withoutEvidence,
    types,
    meetings,
  };
};
