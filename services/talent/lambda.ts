import { lambdaHandlers } from '../../shared/lambda.js';
import { talentService } from './service.js';
export const { http, relay, consume, schedule } = lambdaHandlers(talentService);
