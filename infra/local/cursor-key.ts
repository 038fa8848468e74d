/**
 * The local stand-in for the stage's cursor secret (on AWS a Secrets Manager secret, made by
 * the platform stack): random text made on the first start in the data folder, readable by
 * its owner only, and kept, so cursors issued before a restart still open after it.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const cursorKeyFile = (dataDir: string): string => join(dataDir, 'cursor-key');

/** The file, made if missing; an existing one is never rewritten. */
export const ensureCursorKey = async (dataDir: string): Promise<string> => {
  const file = cursorKeyFile(dataDir);
  try {
    await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return file;
};
