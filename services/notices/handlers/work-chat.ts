/**
 * A branch's work-chat group (企业微信 or 钉钉 group robot): its webhook registered, read
 * (masked) and removed. Notices addressed to the branch are posted there (../work-chat.ts).
 */
import * as z from 'zod';
import { actorOf, type Caller } from '../../../shared/auth.js';
import type { ServiceContext } from '../../../shared/context.js';
import { notFound, unwrap } from '../../../shared/errors.js';
import { noContent, ok } from '../../../shared/http/result.js';
import { branchManagers } from '../../../shared/outcomes.js';
import { idParam, timestamp } from '../../../shared/schemas.js';
import { route } from '../../../shared/service.js';
import { toLocalIso } from '../../../shared/time.js';
import {
  checkWebhookUrl,
  managesBranchChat,
  maskCredential,
  robotAddress,
  signingSecretPattern,
  workChatPlatforms,
} from '../domain/work-chat.js';
import { deleteWebhook, getWebhook, putWebhook, type WorkChatWebhook } from '../store/work-chat.js';
import { isKnownBranch } from '../store.js';

const url = z.string().min(1).max(2048);

const registerBody = z.discriminatedUnion('platform', [
  z.strictObject({
    platform: z.literal('wecom'),
    url: url.meta({
      example: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa',
    }),
  }),
  z.strictObject({
    platform: z.literal('dingtalk'),
    url: url.meta({
      example:
        'https://oapi.dingtalk.com/robot/send?access_token=9f2c6d0e4b8a4f1c9d3e7b5a1c0f2e4d6b8a0c2e4f6a8b0d2c4e6f8a0b2d4c6e',
    }),
    /** 钉钉's 加签 (signing) secret, if the robot's security setting uses it. */
    secret: z
      .string()
      .regex(signingSecretPattern)
      .optional()
      .meta({ example: 'SEC1f4b3c0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b' }),
  }),
]);

const branchParams = z.strictObject({ branchId: idParam });

export const WorkChatView = z
  .strictObject({
    branchId: z.string(),
    platform: z.enum(workChatPlatforms),
    host: z.string().meta({ example: 'qyapi.weixin.qq.com' }),
    /** Never the key or token itself: its last characters, to tell two robots apart. */
    maskedKey: z.string().meta({ example: '…5aaa' }),
    /** 钉钉: posts are signed (加签). */
    signed: z.boolean(),
    registeredAt: timestamp,
    registeredBy: z.string(),
  })
  .meta({ id: 'WorkChat' });

const workChatView = (w: WorkChatWebhook): z.infer<typeof WorkChatView> => ({
  branchId: w.branchId,
  platform: w.platform,
  host: robotAddress[w.platform].host,
  maskedKey: maskCredential(w.credential),
  signed: w.secret !== undefined,
  registeredAt: w.registeredAt,
  registeredBy: w.registeredBy,
});

/** A branch the caller manages and notices knows; otherwise it does not exist for them. */
const managedBranch = async (ctx: ServiceContext, caller: Caller, branchId: string) => {
  if (!managesBranchChat(caller, branchId) || !(await isKnownBranch(ctx, branchId))) {
    throw notFound('Branch');
  }
  return branchId;
};

export const workChatRoutes = [
  route('PUT /notices/branches/{branchId}/work-chat', {
    summary:
      "Register the branch's work-chat group robot (企业微信 or 钉钉): notices addressed to the branch are posted there. Replaces any earlier one",
    description:
      "Only the platform's own robot address is accepted: https, its host by name, no port, no user name, its path with the key (企业微信) or access_token (钉钉) as the only query parameter. The key, token and secret are never answered again.",
    access: ['committee', 'secretary'],
    refusals: [
      'webhook-not-https',
      'webhook-userinfo',
      'webhook-port',
      'webhook-private-address',
      'webhook-ip-literal',
      'webhook-host-not-allowed',
      'webhook-path-not-allowed',
    ],
    outcomes: branchManagers,
    responses: { 200: WorkChatView },
    request: { params: branchParams, body: registerBody },
    handler: async ({ params, body, caller, now }, ctx) => {
      const branchId = await managedBranch(ctx, caller, params.branchId);
      const { credential } = unwrap(checkWebhookUrl(body.platform, body.url));
      const webhook: WorkChatWebhook = {
        branchId,
        platform: body.platform,
        credential,
        ...(body.platform === 'dingtalk' && body.secret ? { secret: body.secret } : {}),
        registeredAt: toLocalIso(now),
        registeredBy: actorOf(caller),
      };
      await putWebhook(ctx, webhook);
      return ok(workChatView(webhook));
    },
  }),

  route('GET /notices/branches/{branchId}/work-chat', {
    summary: "The branch's work-chat group robot: its platform, host and a masked key, never the key itself",
    access: ['committee', 'secretary'],
    outcomes: branchManagers,
    responses: { 200: WorkChatView },
    request: { params: branchParams },
    handler: async ({ params, caller }, ctx) => {
      const webhook = await getWebhook(ctx, await managedBranch(ctx, caller, params.branchId));
      if (!webhook) throw notFound('Work-chat webhook');
      return ok(workChatView(webhook));
    },
  }),

  route('DELETE /notices/branches/{branchId}/work-chat', {
    summary:
      "Remove the branch's work-chat group robot, key and secret with it: nothing is posted there any more",
    access: ['committee', 'secretary'],
    outcomes: branchManagers,
    responses: { 204: 'empty' },
    request: { params: branchParams },
    handler: async ({ params, caller }, ctx) => {
      await deleteWebhook(ctx, await managedBranch(ctx, caller, params.branchId));
      return noContent();
    },
  }),
];
