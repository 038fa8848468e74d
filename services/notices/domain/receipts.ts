/**
 * Read receipts (阅读回执): who of each branch has read a notice and who has not. Counted
 * from the recipients' own inbox entries, one per person and notice, so a count is exactly
 * the entries that say "read": marking twice, or at once from two devices, stays one. Pure.
 */

export interface Receipt {
  personId: string;
  branchId?: string;
  name?: string;
  readAt?: string;
}

export interface BranchReceipts {
  /** Absent for people the notice reached outside any branch. */
  branchId?: string;
  recipients: number;
  read: Receipt[];
  unread: Receipt[];
}

/** Per branch (in branch order), readers by when they read, the unread by name. */
export const receiptsByBranch = (receipts: readonly Receipt[]): BranchReceipts[] => {
  const branches = new Map<string, Receipt[]>();
  for (const r of receipts) {
    const key = r.branchId ?? '';
    branches.set(key, [...(branches.get(key) ?? []), r]);
  }
  const byName = (a: Receipt, b: Receipt) =>
    (a.name ?? a.personId).localeCompare(b.name ?? b.personId, 'zh-CN') ||
    a.personId.localeCompare(b.personId);
  return [...branches.keys()].sort().map((key) => {
    const all = branches.get(key) ?? [];
    return {
      ...(key ? { branchId: key } : {}),
      recipients: all.length,
      read: all
        .filter((r) => r.readAt !== undefined)
        .sort((a, b) => (a.readAt as string).localeCompare(b.readAt as string) || byName(a, b)),
      unread: all.filter((r) => r.readAt === undefined).sort(byName),
    };
  });
};
