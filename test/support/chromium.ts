/**
 * A Chromium that `npm ci` alone provides, so `npm test` has a real browser on a clean clone:
 * the build the `@sparticuz/chromium` package ships inside itself (Brotli-packed, x64 Linux,
 * no download at install or run time), unpacked once per package version into the temp folder
 * and driven by playwright-core. CHROMIUM_PATH names another binary instead.
 *
 * Not the package's own `executablePath()` and `args`: it unpacks to one fixed path whatever
 * the version, in place (a second process may start a half-written binary), and its flags for
 * serverless hosts include --disable-web-security, which turns off the CORS checks a test
 * needs the browser to make.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { access, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

const packageDir = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..');

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const unpack = async (): Promise<string> => {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the npm-shipped Chromium is for x64 Linux, not ${process.platform}/${process.arch}: ` +
        'set CHROMIUM_PATH to a Chromium or Chrome binary',
    );
  }
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const binary = join(tmpdir(), `dangjian-chromium-${version}`);
  if (await exists(binary)) return binary;
  const partial = `${binary}.${process.pid}.partial`;
  try {
    await pipeline(
      createReadStream(join(packageDir, 'bin', 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(partial, { mode: 0o755 }),
    );
    // Whole or not at all: a process unpacking at the same time renames the same bytes.
    await rename(partial, binary);
  } finally {
    await rm(partial, { force: true });
  }
  return binary;
};

let unpacked: Promise<string> | undefined;
export const chromiumPath = (): Promise<string> => {
  const named = process.env.CHROMIUM_PATH;
  if (named) return Promise.resolve(named);
  unpacked ??= unpack();
  return unpacked;
};

/** Headless; no sandbox, which cannot start as root (CI runs as root). */
export const launchChromium = async (options: LaunchOptions = {}): Promise<Browser> =>
  chromium.launch({
    executablePath: await chromiumPath(),
    headless: true,
    ...options,
    args: ['--no-sandbox', ...(options.args ?? [])],
  });
