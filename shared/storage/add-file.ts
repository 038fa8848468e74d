/**
 * Adding a checked file through a route, at most once per Idempotency-Key: the answer is the
 * file with its upload form while it waits for one, and a repeat answers the file as it
 * stands. The owner says how its file is read, shown and written.
 */
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { createOnce } from '../http/idempotent.js';
import type { HttpResult } from '../http/result.js';
import { created } from '../http/result.js';
import type { Transaction } from '../store/transaction.js';
import { uploadForm } from './bucket.js';
import type { CheckedFile } from './checked-file.js';

export interface FileToAdd<F extends CheckedFile> {
  /** Whose keys this one is among (`accountScope`). */
  scope: string;
  /** The file as this attempt would create it. */
  file: F;
  fileId: string;
  /** What a repeat finds under the id the first attempt created (404 `what` if nothing). */
  get: (fileId: string) => Promise<F | undefined>;
  what: string;
  view: (f: F) => object;
  location: (f: F) => string;
  /** The file's writes (its item, its place under the cap, an audit entry) in the claimed transaction. */
  write: (claim: (t: Transaction) => Transaction) => Transaction;
}

export const addFileOnce = <F extends CheckedFile>(
  ctx: ServiceContext,
  request: Parameters<typeof createOnce>[1],
  { scope, file, fileId, get, what, view, location, write }: FileToAdd<F>,
): Promise<HttpResult> => {
  const answer = async (f: F) => {
    const upload = f.status === 'uploading' ? await uploadForm(ctx, f, request.now) : undefined;
    return created({ ...view(f), ...(upload ? { upload } : {}) }, location(f));
  };
  return createOnce(ctx, request, {
    scope,
    entityId: fileId,
    replay: async (id) => {
      const held = await get(id);
      if (!held) throw notFound(what);
      return answer(held);
    },
    create: async ({ claim, commit }) => {
      // The form is signed before anything is written: a signing failure leaves nothing behind.
      const answered = await answer(file);
      await commit(write(claim));
      return answered;
    },
  });
};
