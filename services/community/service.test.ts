import { describe, expect, it } from 'vitest';
import { communityService } from './service.js';

const routeOf = (key: string) => communityService.routes.find((r) => r.routeKey === key);

describe('the community description', () => {
  it('opens only the application form and the event pages to the public, and throttles the form hardest', () => {
    const open = communityService.routes.filter((r) => r.access === 'public').map((r) => r.routeKey);
    expect(open.sort()).toEqual([
      'GET /community/events',
      'GET /community/events/{eventId}',
      'POST /community/partners/applications',
    ]);
    expect(routeOf('POST /community/partners/applications')?.throttle).toBe('public');
  });

  it('keeps committee work to the committee', () => {
    for (const key of [
      'POST /community/events',
      'POST /community/events/{eventId}/publish',
      'POST /community/events/{eventId}/check-in',
      'POST /community/events/{eventId}/complete',
      'POST /community/partners/{partnerId}/approve',
      'GET /community/partners',
    ]) {
      expect(routeOf(key)?.access, key).toEqual(['committee']);
    }
  });
});
