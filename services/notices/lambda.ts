import { lambdaHandlers } from '../../shared/lambda.js';
import { noticesService } from './service.js';

export const { http, relay, consume, schedule } = lambdaHandlers(noticesService);
