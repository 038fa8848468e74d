import { lambdaHandlers } from '../../shared/lambda.js';
import { activitiesService } from './service.js';

export const { http, relay, consume } = lambdaHandlers(activitiesService);
