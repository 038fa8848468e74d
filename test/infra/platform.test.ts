/**
 * The platform stack on its own, with stage settings no real stage uses today: a hosted UI,
 * and a Cognito sender. Cheap (no functions), so the variants are built here rather than
 * as whole stages.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { type StageConfig, stageConfig } from '../../infra/config.js';
import { PlatformStack } from '../../infra/platform/platform-stack.js';
import { newApp, resourcesOf } from './support.js';

const platformOf = (config: StageConfig) => {
  const stack = new PlatformStack(newApp({ schemaCheck: false }), 'platform', { config });
  return { stack, template: Template.fromStack(stack) };
};

describe('platform stack', () => {
  it('turns OAuth on only with a hosted UI, code flow only, to the configured URLs', () => {
    const hostedUi = {
      domainPrefix: 'dangjian-staging',
      callbackUrls: ['https://staging.dangjian.example.cn/signed-in'],
      logoutUrls: ['https://staging.dangjian.example.cn/'],
    };
    const staging = stageConfig('staging');
    if (staging.signIn.provider !== 'cognito') throw new Error('staging signs in with Cognito');
    const { stack, template } = platformOf({ ...staging, signIn: { ...staging.signIn, hostedUi } });
    const [[, client] = []] = resourcesOf(template, 'AWS::Cognito::UserPoolClient');
    expect(client?.Properties).toMatchObject({
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: expect.arrayContaining(['openid', 'email', 'profile']),
      CallbackURLs: hostedUi.callbackUrls,
      LogoutURLs: hostedUi.logoutUrls,
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: hostedUi.domainPrefix,
      UserPoolId: { Ref: stack.getLogicalId(stack.userPool?.node.defaultChild as never) },
    });
  });

  it('sends through Cognito’s own sender when the stage says so, and only then', () => {
    const { template } = platformOf({
      ...stageConfig('prod'),
      signIn: {
        provider: 'cognito',
        mail: { sender: 'cognito', because: 'a test of the setting, not a stage anyone deploys' },
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
    });
    const ses = platformOf(stageConfig('prod')).template;
    ses.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER' },
    });
  });
});
