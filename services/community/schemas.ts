import * as z from 'zod';
import { jointEventStatuses } from './domain/joint-events.js';
import { partnerStatuses } from './domain/partners.js';
import { jointEventKinds, partnerTypes } from './events.js';

/** The domain's enums, with the terms the institution uses, for requests and responses alike. */
export const partnerType = z.enum(partnerTypes).meta({
  id: 'PartnerType',
  description: 'enterprise — 企业; institution — 事业单位; community — 社区; school — 学校; other — 其他',
});
export const partnerStatus = z.enum(partnerStatuses).meta({
  id: 'PartnerStatus',
  description: 'pending — 待审核; approved — 已通过; suspended — 已暂停; rejected — 未通过',
});
export const jointEventKind = z.enum(jointEventKinds).meta({
  id: 'JointEventKind',
  description:
    'volunteer-service — 志愿服务; science-outreach — 科普; joint-theme-day — 联合主题党日; ' +
    'health-service — 健康服务（义诊）; other — 其他',
});
export const jointEventStatus = z.enum(jointEventStatuses).meta({
  id: 'JointEventStatus',
  description: 'draft — 草稿; published — 已发布（报名中）; cancelled — 已取消; completed — 已结束',
});
