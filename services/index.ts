import type { ServiceDescription } from '../shared/service.js';

/** Every service of the platform; the CDK app and the local runtime read this list. */
export const services: readonly ServiceDescription[] = [];
