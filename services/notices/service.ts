/** notices: announcements (通知公告) with read receipts, and every person's inbox of notices. */
import { defineService } from '../../shared/service.js';
import { noticesEvents } from './events.js';
import { announcementRoutes } from './handlers/announcements.js';
import { attachmentRoutes } from './handlers/attachments.js';
import { calendarRoutes } from './handlers/calendar.js';
import { inboxRoutes } from './handlers/inbox.js';
import { preferenceRoutes } from './handlers/preferences.js';
import { workChatRoutes } from './handlers/work-chat.js';
import { noticeSchedules } from './reminders.js';
import { table } from './store.js';
import { noticeSubscriptions } from './subscriptions.js';

export const noticesService = defineService({
  name: 'notices',
  table,
  // Announcements' attachments, uploaded with presigned POSTs and checked on "Object Created".
  bucket: { name: 'attachments', objectEvents: true },
  publishes: noticesEvents,
  routes: [
    ...announcementRoutes,
    ...inboxRoutes,
    ...preferenceRoutes,
    ...workChatRoutes,
    ...calendarRoutes,
    ...attachmentRoutes,
  ],
  subscriptions: noticeSubscriptions,
  schedules: noticeSchedules,
});
