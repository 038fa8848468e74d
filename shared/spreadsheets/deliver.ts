/**
 * How an export reaches its caller: answered directly while it fits in a Lambda response,
 * otherwise stored under `exports/` in the service's bucket (kept a day: see the bucket's
 * `expiring` prefixes) and answered with 303 to a presigned GET.
 */
import type { ServiceContext } from '../context.js';
import { attachment, file, type HttpResult, seeOther } from '../http/result.js';
import { newId } from '../ids.js';
import type { Responses } from '../service.js';
import { objectUrl, putFile } from '../storage/bucket.js';
import { XLSX_TYPE } from './workbook.js';

/**
 * Lambda answers at most 6 MB, and a binary body goes base64-encoded (4 bytes for 3): 4 MB
 * leaves room for the headers.
 */
export const DIRECT_EXPORT_BYTES = 4 * 1024 * 1024;

/** Where exports wait for their download; the bucket expires the prefix after a day. */
export const EXPORTS_PREFIX = 'exports/';

/** The responses of a route that answers a workbook. */
export const workbookResponses: Responses = {
  200: {
    contentType: XLSX_TYPE,
    description: 'The workbook (.xlsx): Chinese headers, a frozen header row; opens in Excel and WPS',
  },
  303: 'empty',
};

/** The responses of a route whose workbook always fits in the answer (a service without a bucket). */
export const directWorkbookResponses: Responses = { 200: workbookResponses[200] };

export const deliverWorkbook = async (
  ctx: ServiceContext,
  { bytes, filename, now }: { bytes: Uint8Array; filename: string; now: Date },
): Promise<HttpResult> => {
  if (bytes.length <= DIRECT_EXPORT_BYTES || !ctx.env.bucketName) return file(XLSX_TYPE, bytes, filename);
  const objectKey = `${EXPORTS_PREFIX}${newId()}/${encodeURIComponent(filename)}`;
  await putFile(ctx, { objectKey, bytes, contentType: XLSX_TYPE, contentDisposition: attachment(filename) });
  return seeOther((await objectUrl(ctx, objectKey, now)).url);
};
