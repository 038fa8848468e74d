/**
 * An announcement's (通知公告) own rules: whom a caller may address, what may change in
 * which status, who manages it and who it is addressed to. Pure.
 */
import { type Caller, hasRole } from '../../../shared/auth.js';
import { accept, conflict, forbidden, notFound, type Result, refuse } from '../../../shared/errors.js';

export const announcementStatuses = ['draft', 'published', 'withdrawn'] as const;
export type AnnouncementStatus = (typeof announcementStatuses)[number];

/** The whole institution (全体), or chosen branches (支部). */
export type Audience = { kind: 'institution' } | { kind: 'branches'; branchIds: string[] };

export interface Announcement {
  announcementId: string;
  title: string;
  text: string;
  audience: Audience;
  /** Marked by the committee: no channel preference turns it off (必读). */
  mandatory: boolean;
  pinned: boolean;
  status: AnnouncementStatus;
  /** The branch whose secretary manages it; absent when the committee does. */
  ownerBranchId?: string;
  createdBy: string;
  createdAt: string;
  publishedAt?: string;
  withdrawnAt?: string;
  version: number;
}

// Which branch was not found is not said: the caller named it, and scope leaks nothing.
const branchNotFound = () => notFound('Branch');

/**
 * Whom the caller may address. The committee: anyone, and only it marks an announcement
 * mandatory. A secretary: their own branch alone; another branch does not exist for them
 * (404, as everywhere), and the whole institution is the committee's (403).
 */
export const checkAudience = (
  caller: Caller,
  audience: Audience,
  mandatory: boolean,
): Result<{ audience: Audience; ownerBranchId?: string }> => {
  if (hasRole(caller, 'committee')) return accept({ audience });
  if (mandatory) return refuse(forbidden('Only the committee marks an announcement mandatory'));
  if (audience.kind === 'institution') {
    return refuse(forbidden('Only the committee addresses the whole institution'));
  }
  const stranger = audience.branchIds.find((b) => b !== caller.branchId);
  if (stranger !== undefined || caller.branchId === undefined) {
    return refuse(branchNotFound());
  }
  return accept({
    audience: { kind: 'branches', branchIds: [caller.branchId] },
    ownerBranchId: caller.branchId,
  });
};

/** The committee manages every announcement; a secretary those of their own branch. */
export const manages = (caller: Caller, a: Pick<Announcement, 'ownerBranchId'>): boolean =>
  hasRole(caller, 'committee') ||
  (hasRole(caller, 'secretary') && a.ownerBranchId !== undefined && a.ownerBranchId === caller.branchId);

/** Is a person of `branchId` among the announcement's audience? */
export const addresses = (audience: Audience, branchId: string | undefined): boolean =>
  branchId !== undefined && (audience.kind === 'institution' || audience.branchIds.includes(branchId));

const statusConflict = (a: Announcement, wanted: string) =>
  conflict('announcement-status-conflict', `A ${a.status} announcement cannot be ${wanted}`, {
    status: a.status,
  });

/** draft → published. */
export const canPublish = (a: Announcement): Result<Announcement> =>
  a.status === 'draft' ? accept(a) : refuse(statusConflict(a, 'published'));

/** draft or published → withdrawn (a draft withdrawn is simply never sent). */
export const canWithdraw = (a: Announcement): Result<Announcement> =>
  a.status === 'withdrawn' ? refuse(statusConflict(a, 'withdrawn')) : accept(a);

/** Pinning changes what its readers see first: not once it is withdrawn. */
export const canPin = (a: Announcement): Result<Announcement> =>
  a.status === 'withdrawn' ? refuse(statusConflict(a, 'pinned')) : accept(a);

/** Only a published announcement has readers to remind. */
export const canRemind = (a: Announcement): Result<Announcement> =>
  a.status === 'published' ? accept(a) : refuse(statusConflict(a, 'reminded about'));

/** The first characters of a text, on one line, for an inbox entry (the whole text is one read away). */
export const excerpt = (text: string, max = 140): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
};
