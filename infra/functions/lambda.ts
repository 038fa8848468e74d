/** What the platform functions' Lambda entries share: their environment and their logger. */
import { Logger } from '@aws-lambda-powertools/logger';
import type { BusEvent } from '../../shared/events/contract.js';

export const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
};

export const platformLogger = (name: string): Logger =>
  new Logger({ serviceName: name, environment: process.env.STAGE ?? '' });

/** A handler whose clients are made on the first event, so importing it (synth, tests) needs no environment. */
export const lazyHandler = (make: () => (event: BusEvent) => Promise<unknown>) => {
  let handle: ((event: BusEvent) => Promise<unknown>) | undefined;
  return async (event: BusEvent): Promise<void> => {
    handle ??= make();
    await handle(event);
  };
};
