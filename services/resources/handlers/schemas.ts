/** Request schema parts more than one area's routes take. */
import * as z from 'zod';
import { idParam } from '../../../shared/schemas.js';

/** The resource a route acts on (library and study routes). */
export const resourceParams = z.strictObject({ resourceId: idParam });
