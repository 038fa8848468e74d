import type { ServiceDescription } from '../shared/service.js';
import { activitiesService } from './activities/service.js';
import { communityService } from './community/service.js';
import { noticesService } from './notices/service.js';
import { resourcesService } from './resources/service.js';
import { talentService } from './talent/service.js';

/** Every service of the platform; the CDK app and the local runtime read this list. */
export const services: readonly ServiceDescription[] = [
  activitiesService,
  talentService,
  resourcesService,
  communityService,
  noticesService,
];
