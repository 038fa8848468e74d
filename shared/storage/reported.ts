/**
 * What the owner of checked files does when S3 reports an object in its bucket: find the file
 * the key names, let the shared check (bucket.ts `checkUpload`) judge the object for it (or
 * remove it), and record the verdict on the file, on condition nobody changed or removed it
 * meanwhile. The owner says how its keys name its files, how it reads one, where a checked
 * copy goes and how a verdict is written.
 */
import type { ServiceContext } from '../context.js';
import type { ConsumedEvent } from '../events/consumer.js';
import type { Transaction } from '../store/transaction.js';
import { toLocalIso } from '../time.js';
import { checkUpload, ownObjectKey } from './bucket.js';
import { acceptFile, type CheckedFile, checkedFileDecision, rejectFile } from './checked-file.js';

export interface FileOwner<I, F extends CheckedFile> {
  /** What the files are called in the log: `evidence`, `attachment`. */
  what: string;
  /** The ids a key names; undefined for a key that is not one of the owner's. */
  idsOfKey: (key: string) => I | undefined;
  get: (ctx: ServiceContext, ids: I) => Promise<F | undefined>;
  /** The checked copy's key for this event (one per event, so a replay finds its copy). */
  copyKeyOf: (ids: I, eventId: string) => string;
  /**
   * Writes the verdict on the file as it was read (`readVersion`); it may read what else the
   * write needs (activities: the branch whose tally counts an accepted file).
   */
  save: (tx: Transaction, next: F, readVersion: number, ctx: ServiceContext) => unknown;
}

export const checkReportedObject = async <I, F extends CheckedFile>(
  owner: FileOwner<I, F>,
  event: ConsumedEvent<unknown>,
  tx: Transaction,
  ctx: ServiceContext,
): Promise<void> => {
  const key = ownObjectKey(ctx, event);
  if (key === undefined) return;
  const ids = owner.idsOfKey(key);
  const f = ids ? await owner.get(ctx, ids) : undefined;
  const decision = checkedFileDecision(f, key);
  if (decision.kind === 'remove')
    ctx.log.warn(`object without ${owner.what} waiting for it removed`, { key });
  const verdict = await checkUpload(ctx, {
    key,
    copyKey: ids ? owner.copyKeyOf(ids, event.eventId) : undefined,
    publishedKey: f?.publishedKey,
    decision,
  });
  if (!f || verdict.kind === 'removed') return;
  const at = toLocalIso(new Date(event.occurredAt));
  if (verdict.kind === 'rejected') {
    ctx.log.info(`${owner.what} rejected`, { key, reason: verdict.reason });
    await owner.save(tx, rejectFile(f, verdict.reason, at), f.version, ctx);
    return;
  }
  await owner.save(tx, acceptFile(f, verdict.copyKey, at), f.version, ctx);
};
