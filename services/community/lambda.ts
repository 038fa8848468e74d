import { lambdaHandlers } from '../../shared/lambda.js';
import { communityService } from './service.js';

export const { http, relay, consume } = lambdaHandlers(communityService);
