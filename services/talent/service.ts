/**
 * talent: the register every other service builds on — people, branches (党支部) and party
 * groups, the development pipeline (发展党员), records, talent pools, timelines with points,
 * and insights (age structure, pipeline). See the README ("Accounts and sign-in" for roles and accounts).
 */
import { defineService } from '../../shared/service.js';
import { talentEvents } from './events.js';
import { auditRoutes, auditSubscriptions } from './handlers/audit.js';
import { branchRoutes } from './handlers/branches.js';
import { calendarRoutes } from './handlers/calendar.js';
import { evidenceRoutes, evidenceSubscriptions } from './handlers/evidence.js';
import { insightRoutes } from './handlers/insights.js';
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
  // Evidence on people's pipeline files, uploaded with presigned POSTs and checked on "Object Created".
  bucket: { name: 'evidence', objectEvents: true },
  routes: [
    ...branchRoutes,
    ...peopleRoutes,
    ...transitionRoutes,
    ...timelineRoutes,
    ...recordRoutes,
    ...poolRoutes,
    ...roleRoutes,
    ...calendarRoutes,
    ...insightRoutes,
    ...auditRoutes,
    ...evidenceRoutes,
  ],
  subscriptions: [...talentSubscriptions, ...evidenceSubscriptions, ...auditSubscriptions],
  publishes: talentEvents,
  schedules: talentSchedules,
});
