/**
 * resources: the study library on S3 (学习资料库), study records, study assignments and
 * assessments (考核). See the README.
 */
import { defineService, subscription } from '../../shared/service.js';
import { rosterSubscriptions } from '../talent/roster.js';
import { resourcesEvents } from './events.js';
import { assessmentRoutes } from './handlers/assessments.js';
import { libraryRoutes, onObjectCreated } from './handlers/library.js';
import { meRoutes } from './handlers/me.js';
import { studyRoutes, studySubscriptions } from './handlers/study.js';
import { table } from './store.js';

export const resourcesService = defineService({
  name: 'resources',
  table,
  // Exports too large to answer directly wait a day under exports/ for their download; the
  // object-created rule hears library/ only, so they are never taken for uploads.
  bucket: { name: 'library', objectEvents: true, expiring: [{ prefix: 'exports/', days: 1 }] },
  publishes: resourcesEvents,
  routes: [...libraryRoutes, ...studyRoutes, ...assessmentRoutes, ...meRoutes],
  subscriptions: [
    ...rosterSubscriptions(table),
    ...studySubscriptions,
    subscription({
      name: 'library-object-created',
      // S3's own event (EventBridge notifications on the bucket): no dangjian contract.
      pattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { object: { key: [{ prefix: 'library/' }] } },
      },
      handler: onObjectCreated,
    }),
  ],
});
