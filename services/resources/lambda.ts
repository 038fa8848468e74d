import { lambdaHandlers } from '../../shared/lambda.js';
import { resourcesService } from './service.js';

export const { http, relay, consume } = lambdaHandlers(resourcesService);
