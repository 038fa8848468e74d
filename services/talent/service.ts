/**
 * talent: the register every other service builds on — people, branches (党支部) and party
 * groups, the development pipeline (发展党员), records, talent pools, timelines with points,
 * and insights (age structure, pipeline). See the README ("Accounts and sign-in" for roles and accounts).
 */
import { defineService } from '../../shared/service.js';
import { duesSchedules } from './dues-reminders.js';
import { talentEvents } from './events.js';
import { auditRoutes, auditSubscriptions } from './handlers/audit.js';
import { branchRoutes } from './handlers/branches.js';
import { calendarRoutes } from './handlers/calendar.js';
import { duesRoutes } from './handlers/dues.js';
import { evidenceRoutes, evidenceSubscriptions } from './handlers/evidence.js';
import { exportRoutes } from './handlers/exports.js';
import { importRoutes, importSubscriptions } from './handlers/imports.js';
import { insightRoutes } from './handlers/insights.js';
import { lifecycleRoutes } from './handlers/lifecycle.js';
import { peopleRoutes } from './handlers/people.js';
import { poolRoutes } from './handlers/pools.js';
import { recordRoutes } from './handlers/records.js';
import { roleRoutes } from './handlers/roles.js';
import { timelineRoutes } from './handlers/timeline.js';
import { transitionRoutes } from './handlers/transitions.js';
import { talentSchedules } from './pipeline-due.js';
import { table } from './store.js';
import { talentSubscriptions } from './subscriptions.js';

export const talentService = defineService({
  name: 'talent',
  table,
  // Evidence on people's pipeline files, uploaded with presigned POSTs and checked on "Object
  // Created"; imports' uploads (read on "Object Created") and large exports, kept a day.
  bucket: {
    name: 'evidence',
    objectEvents: true,
    expiring: [
      { prefix: 'imports/', days: 1 },
      { prefix: 'exports/', days: 1 },
    ],
  },
  routes: [
    ...branchRoutes,
    ...peopleRoutes,
    ...transitionRoutes,
    ...timelineRoutes,
    ...recordRoutes,
    ...poolRoutes,
    ...roleRoutes,
    ...lifecycleRoutes,
    ...calendarRoutes,
    ...insightRoutes,
    ...auditRoutes,
    ...evidenceRoutes,
    ...duesRoutes,
    ...importRoutes,
    ...exportRoutes,
  ],
  subscriptions: [
    ...talentSubscriptions,
    ...evidenceSubscriptions,
    ...importSubscriptions,
    ...auditSubscriptions,
  ],
  publishes: talentEvents,
  schedules: [...talentSchedules, ...duesSchedules],
});
