import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import { checkAccess, type IdentityLookup } from '../../access/access-hook.js';
import type { AccessRulePatch, AccessRuleService } from '../../access/access-rule-service.js';
import { criteriaFromPattern, MAX_PATTERN_LENGTH, type RuleCriteria } from '../../access/access-rules.js';
import { RULE_TYPES, type AccessRule } from '../../db/entities/access-rule.js';
import { defineRoute, type RouteDefinition } from '../route.js';

const isoDate = z.iso.datetime();
const id = z.string().min(1).max(200);
const MAX_PRIORITY = 1_000_000;

const patternText = z.string().min(1).max(MAX_PATTERN_LENGTH);
export const ruleCriteriaSchema = z
  .object({
    phone: patternText.optional().describe('E.164 number, or a prefix ending in * (`+5511*`); stored normalized'),
    platformUserId: patternText.optional().describe('Exact platform user id, or a prefix ending in *'),
  })
  .strict()
  .refine((c) => (c.phone === undefined) !== (c.platformUserId === undefined), { message: 'give exactly one of phone and platformUserId' })
  .describe("Matched against every identity of the sender's person: their platform user ids and phones");

export const ruleActionSchema = z.object({
  denyMessage: z.string().max(4096).nullable().optional().describe('Sent to a denied sender'),
});

export const accessRuleSchema = z.object({
  id: z.string(),
  instanceId: z.string().nullable().describe('Null: every instance'),
  channel: z.string().nullable().describe('Null: every channel'),
  type: z.enum(RULE_TYPES),
  criteria: z.object({ phone: z.string().optional(), platformUserId: z.string().optional() }),
  /** The stored form of the criteria. */
  pattern: z.string(),
  priority: z.number().int(),
  enabled: z.boolean(),
  reason: z.string().nullable(),
  action: z.object({ denyMessage: z.string().nullable() }),
  createdAt: isoDate,
  updatedAt: isoDate,
});

const ruleFields = {
  instanceId: z.string().min(1).max(36).nullable().optional(),
  channel: z.string().min(1).max(255).nullable().optional(),
  priority: z.number().int().min(-MAX_PRIORITY).max(MAX_PRIORITY).optional().describe('Higher wins; default 0'),
  enabled: z.boolean().optional(),
  reason: z.string().max(255).nullable().optional(),
  action: ruleActionSchema.optional(),
};

export const createAccessRuleBodySchema = z.object({ ...ruleFields, type: z.enum(RULE_TYPES), criteria: ruleCriteriaSchema });
export const updateAccessRuleBodySchema = z.object({ ...ruleFields, type: z.enum(RULE_TYPES).optional(), criteria: ruleCriteriaSchema.optional() });

export const listAccessRulesQuerySchema = z.object({
  instanceId: z.string().min(1).max(200).optional().describe("Only this instance's rules (not the global ones)"),
  type: z.enum(RULE_TYPES).optional(),
});

export const checkAccessBodySchema = z.object({
  instanceId: z.string().min(1).max(200),
  platformUserId: z.string().min(1).max(255),
  channel: z.string().min(1).max(255),
});

export const checkAccessResultSchema = z.object({
  allowed: z.boolean(),
  rule: accessRuleSchema.optional().describe('The deciding rule; absent when none matched (default allow)'),
  reason: z.string(),
});

export type AccessRuleDto = z.input<typeof accessRuleSchema>;

export const toAccessRuleDto = (r: AccessRule): AccessRuleDto => ({
  id: r.id,
  instanceId: r.instanceId,
  channel: r.channel,
  type: r.type,
  criteria: criteriaFromPattern(r.pattern),
  pattern: r.pattern,
  priority: r.priority,
  enabled: r.enabled,
  reason: r.reason,
  action: { denyMessage: r.denyMessage },
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

type RuleBody = z.output<typeof updateAccessRuleBodySchema>;

const toPatch = ({ action, criteria, ...rest }: RuleBody): AccessRulePatch => ({
  ...rest,
  ...(criteria === undefined ? {} : { criteria: criteria as RuleCriteria }),
  ...(action?.denyMessage === undefined ? {} : { denyMessage: action.denyMessage }),
});

export interface AccessRouteDeps {
  access: AccessRuleService;
  /** For `/access/check`: the identities of the checked user's person (`IdentityService`). */
  identities: IdentityLookup;
}

/** `/api/v2/access`: allow and deny rules for senders. */
export const accessRoutes = ({ access, identities }: AccessRouteDeps): RouteDefinition[] => {
  const find = async (ruleId: string) => {
    const rule = await access.get(ruleId);
    if (!rule) throw new OmniError('NOT_FOUND', `access rule ${ruleId} not found`);
    return rule;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/access/rules',
      summary: 'Access rules, highest priority first',
      tags: ['access'],
      query: listAccessRulesQuerySchema,
      response: z.object({ items: z.array(accessRuleSchema) }),
      handler: async ({ query }) => ({ items: (await access.list(query)).map(toAccessRuleDto) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/access/rules',
      summary: 'Create an allow or deny rule',
      tags: ['access'],
      body: createAccessRuleBodySchema,
      response: accessRuleSchema,
      status: 201,
      handler: async ({ body }) => {
        const { type, criteria, ...rest } = body;
        return toAccessRuleDto(await access.create({ ...toPatch(rest), type, criteria: criteria as RuleCriteria }));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/access/rules/:id',
      summary: 'One access rule',
      tags: ['access'],
      params: z.object({ id }),
      response: accessRuleSchema,
      handler: async ({ params }) => toAccessRuleDto(await find(params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v2/access/rules/:id',
      summary: 'Change some fields of an access rule',
      tags: ['access'],
      params: z.object({ id }),
      body: updateAccessRuleBodySchema,
      response: accessRuleSchema,
      handler: async ({ params, body }) => toAccessRuleDto(await access.update(params.id, toPatch(body))),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v2/access/rules/:id',
      summary: 'Delete an access rule',
      tags: ['access'],
      params: z.object({ id }),
      response: z.object({ success: z.literal(true) }),
      handler: async ({ params }) => {
        if (!(await access.delete(params.id))) throw new OmniError('NOT_FOUND', `access rule ${params.id} not found`);
        return { success: true as const };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/access/check',
      summary: "Whether a platform user's messages would reach the agent, matched on every identity of its person",
      tags: ['access'],
      body: checkAccessBodySchema,
      response: checkAccessResultSchema,
      handler: async ({ body }) => {
        const decision = await checkAccess(access, identities, body);
        return { allowed: decision.allowed, reason: decision.reason, ...(decision.rule ? { rule: toAccessRuleDto(decision.rule) } : {}) };
      },
    }),
  ];
};
