/**
 * Dead letters of the local bus, kept on disk so that they survive a restart of the
 * runtime and can be listed even while it is down (`npm run dead-letters`).
 *
 * Layout: `<dataDir>/dead-letters/<ULID>.json`, one letter per file. ULIDs sort by time,
 * so a directory listing sorted by name is chronological. Files are written to a temp
 * name and renamed into place, so a killed process never leaves half a letter behind
 * (a stray temp file is ignored by `list`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventBridgeEvent as LambdaEventBridgeEvent } from 'aws-lambda';
import { monotonicFactory } from 'ulid';

/** An event as EventBridge delivers it to a target. */
export type EventBridgeEvent = LambdaEventBridgeEvent<string, unknown>;

export interface DeadLetter {
  /** ULID: chronological. */
  id: string;
  /** Name of the subscription (target) the event could not be delivered to. */
  target: string;
  event: EventBridgeEvent;
  error: { message: string; stack?: string };
  /** Delivery attempts made in total, including attempts made by redrives. */
  attempts: number;
  firstAttemptAt: string;
  lastAttemptAt: string;
  /** Why the letter was written when it was not "attempts exhausted", e.g. 'runtime stopped'. */
  reason?: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'id'>;

/** What the running local runtime writes to `<dataDir>/runtime.json`. */
export interface RuntimeInfo {
  busAdminUrl: string;
  [key: string]: unknown;
}

const LETTER_FILE = /^([0-9A-HJKMNP-TV-Z]{26})\.json$/;
const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** One monotonic ULID source per process: letters added in the same millisecond still sort in order. */
const nextId = monotonicFactory();

export class DeadLetterStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'dead-letters');
  }

  /** Stores a new letter under a fresh ULID and returns it. */
  async add(letter: NewDeadLetter): Promise<DeadLetter> {
    const stored: DeadLetter = { id: nextId(), ...letter };
    await this.write(stored);
    return stored;
  }

  /** Replaces an existing letter (same id), e.g. after a redrive failed again. */
  async update(letter: DeadLetter): Promise<void> {
    if (!ID.test(letter.id)) throw notFound(letter.id);
    await this.write(letter);
  }

  /** All letters, oldest first. */
  async list(): Promise<DeadLetter[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    }
    const ids = names
      .map((name) => LETTER_FILE.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .sort();
    const letters: DeadLetter[] = [];
    for (const id of ids) {
      // A letter removed between readdir and read is simply no longer there.
      const letter = await this.get(id);
      if (letter) letters.push(letter);
    }
    return letters;
  }

  /** The letter, or undefined when there is none with that id (or the id is not a ULID). */
  async get(id: string): Promise<DeadLetter | undefined> {
    if (!ID.test(id)) return undefined;
    const file = join(this.dir, `${id}.json`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as DeadLetter;
    } catch (err) {
      throw new Error(`dead letter ${file} is not valid JSON: ${(err as Error).message}`);
    }
  }

  /** Removes a letter; returns false when there was none. */
  async remove(id: string): Promise<boolean> {
    if (!ID.test(id)) return false;
    try {
      await rm(join(this.dir, `${id}.json`));
      return true;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }

  private async write(letter: DeadLetter): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const final = join(this.dir, `${letter.id}.json`);
    const temp = join(this.dir, `.${letter.id}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(letter, null, 2)}\n`, 'utf8');
      await handle.sync();
    } catch (err) {
      await handle.close();
      await rm(temp, { force: true });
      throw err;
    }
    await handle.close();
    await rename(temp, final);
  }
}

/**
 * Reads `<dataDir>/runtime.json`, written by the running local runtime. Returns undefined
 * when the file does not exist (runtime not started) or does not name a bus admin URL.
 * The file may be stale (runtime killed): callers must still handle a refused connection.
 */
export async function readRuntimeInfo(dataDir: string): Promise<RuntimeInfo | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'runtime.json'), 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof info !== 'object' || info === null) return undefined;
  const { busAdminUrl } = info as { busAdminUrl?: unknown };
  if (typeof busAdminUrl !== 'string' || busAdminUrl === '') return undefined;
  return info as RuntimeInfo;
}

function notFound(id: string): Error & { code: string } {
  return Object.assign(new Error(`no dead letter with id ${id}`), { code: 'NotFound', name: 'NotFound' });
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
