/**
 * Text fields of activities' requests: one-line fields (titles, locations, room names) take no
 * control or bidi-override characters at all; free text (minutes, resolutions, reasons, notes,
 * the agenda) takes line breaks and tabs but no other control or bidi-override character.
 * Refused as 400 `validation-failed` naming the field, before anything is read or written.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { as } from '../support/api.js';
import { at, branchWithMembers, meeting } from './support.js';

const NOW = at('2026-11-20T10:00:00+08:00');
const fieldsOf = (res: { body: { error: { details: { fields: { field: string }[] } } } }) =>
  res.body.error.details.fields.map((f) => f.field);

describe('text fields', () => {
  it('refuses a title with a right-to-left override or a NUL, and a location with a line break', async () => {
    const { branchId, secretary } = await branchWithMembers(1);
    for (const title of ['支委会\u202Efdp.exe', '支委会\u0000', '支委会\n第二行']) {
      const res = await secretary.post('/activities', meeting(branchId, { title }), NOW);
      expect(res.status, JSON.stringify(title)).toBe(400);
      expect(res.body.error.code).toBe('validation-failed');
      expect(fieldsOf(res)).toEqual(['body.title']);
    }
    const located = await secretary.post(
      '/activities',
      meeting(branchId, { location: '三楼\r\n会议室' }),
      NOW,
    );
    expect(fieldsOf(located)).toEqual(['body.location']);
    const agenda = await secretary.post(
      '/activities',
      meeting(branchId, { agenda: '一、学习\n二、讨论\u2066' }),
      NOW,
    );
    expect(fieldsOf(agenda)).toEqual(['body.agenda']);
    // Line breaks and tabs are free text's own.
    const fine = await secretary.post(
      '/activities',
      meeting(branchId, { agenda: '一、学习\n\t二、讨论', location: '三楼会议室' }),
      NOW,
    );
    expect(fine.status).toBe(201);
    const patched = await secretary.patch(
      `/activities/${fine.body.activityId}`,
      { version: 1, title: '改\u202D名' },
      NOW,
    );
    expect(fieldsOf(patched)).toEqual(['body.title']);
  });

  it('refuses control and bidi characters in minutes, resolutions, reasons, notes and room names', async () => {
    const { secretary } = await branchWithMembers(1);
    const path = `/activities/${newId()}`;
    const complete = await secretary.post(`${path}/complete`, {
      minutes: '记录\u0007',
      resolutions: ['决议\u202E'],
    });
    expect(fieldsOf(complete).sort()).toEqual(['body.minutes', 'body.resolutions.0']);
    const cancel = await secretary.post(`${path}/cancel`, { reason: '冲突\u0000' });
    expect(fieldsOf(cancel)).toEqual(['body.reason']);
    const note = await secretary.put(`${path}/attendance`, {
      entries: [{ personId: newId(), status: 'excused', note: '病假\u2067' }],
    });
    expect(fieldsOf(note)).toEqual(['body.entries.0.note']);
    const room = await (await as({ roles: ['committee'] })).post('/activities/rooms', {
      name: '活动室\u202E',
      capacity: 10,
    });
    expect(room.status).toBe(400);
    expect(fieldsOf(room)).toEqual(['body.name']);
  });
});
