/** Rooms (党员活动室) and their bookings. */

import * as z from 'zod';
import { conflict, notFound, validationFailed } from '../../../shared/errors.js';
import { accountScope, createOnce } from '../../../shared/http/idempotent.js';
import { pageOf, pageQuery, pageView } from '../../../shared/http/paging.js';
import { created, ok } from '../../../shared/http/result.js';
import { newId } from '../../../shared/ids.js';
import { idParam, singleLine } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import { bookingsPage, getRoom, listRooms, type Room, roomItem, transaction } from '../store.js';
import { BookingView, bookingView, RoomView, roomView } from '../views.js';
import { anyMember, committeeOnly, instant } from './common.js';

const DAY = 86_400_000;

export const roomRoutes = [
  route('POST /activities/rooms', {
    summary:
      'Add a room (党员活动室) that activities can book. A repeat with the same Idempotency-Key answers 201 with the room as it stands now',
    access: ['committee'],
    refusals: ['room-exists'],
    outcomes: committeeOnly,
    responses: { 201: RoomView },
    request: {
      body: z.strictObject({
        name: singleLine(100).meta({ example: '党员活动室（行政楼三层）' }),
        capacity: z.number().int().min(1).max(10_000).meta({ example: 40 }),
      }),
    },
    idempotent: true,
    handler: async (request, ctx) => {
      const { body, now, caller } = request;
      const room: Room = {
        roomId: newId(),
        name: body.name,
        capacity: body.capacity,
        bookingsVersion: 0,
        createdAt: toLocalIso(now),
      };
      return createOnce(ctx, request, {
        scope: accountScope('room', caller),
        entityId: room.roomId,
        replay: async (id) => {
          const first = await getRoom(ctx, id);
          if (!first) throw notFound('Room');
          return created(roomView(first), `/activities/rooms/${id}`);
        },
        create: async ({ claim, commit }) => {
          await commit(
            claim(transaction(ctx)).create(roomItem(room), () =>
              conflict('room-exists', 'The room already exists'),
            ),
          );
          return created(roomView(room), `/activities/rooms/${room.roomId}`);
        },
      });
    },
  }),

  route('GET /activities/rooms', {
    summary: "List the institution's rooms (党员活动室)",
    access: ['committee', 'secretary', 'member'],
    outcomes: anyMember,
    responses: { 200: pageOf(RoomView) },
    request: { query: z.strictObject({ ...pageQuery }) },
    handler: async ({ query }, ctx) => {
      const page = await listRooms(ctx, query.limit, query.cursor);
      return ok(pageView(page, roomView));
    },
  }),

  route('GET /activities/rooms/{roomId}/bookings', {
    summary: "A room's bookings in a window (by default the coming 31 days)",
    access: ['committee', 'secretary', 'member'],
    outcomes: anyMember,
    responses: { 200: pageOf(BookingView) },
    request: {
      params: z.strictObject({ roomId: idParam }),
      query: z.strictObject({ ...pageQuery, from: instant.optional(), to: instant.optional() }),
    },
    handler: async ({ params, query, now }, ctx) => {
      if (!(await getRoom(ctx, params.roomId))) throw notFound('Room');
      // Without a window: the coming 31 days.
      const from = query.from ? new Date(query.from) : now;
      const to = query.to ? new Date(query.to) : new Date(from.getTime() + 31 * DAY);
      if (to.getTime() <= from.getTime()) {
        throw validationFailed([{ field: 'query.to', message: 'Must be after from' }]);
      }
      const page = await bookingsPage(
        ctx,
        params.roomId,
        from.toISOString(),
        to.toISOString(),
        query.limit,
        query.cursor,
      );
      return ok(pageView(page, bookingView));
    },
  }),
];
