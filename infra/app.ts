/**
 * The CDK app: `npx cdk synth -c stage=prod`, `npx cdk deploy --all -c stage=prod`.
 * Every resource comes from the service descriptions listed in services/index.ts.
 */
import { App } from 'aws-cdk-lib';
import { services } from '../services/index.js';
import { StageError } from './config.js';
import { buildDangjian, serviceEntries } from './dangjian.js';

const app = new App();
try {
  buildDangjian(app, {
    stage: app.node.tryGetContext('stage'),
    services: serviceEntries(services),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  // One clear line, not a stack trace, for what an operator got wrong.
  if (error instanceof StageError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
