import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { OmniError } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { AccessRuleSchema, RULE_TYPES, type AccessRule, type RuleType } from '../db/entities/access-rule.js';
import { candidatesOf, decisionOf, patternFromCriteria, selectRule, type AccessDecision, type AccessIdentity, type RuleCriteria } from './access-rules.js';

export interface CreateAccessRuleInput {
  /** Null or unset: every instance. */
  instanceId?: string | null;
  /** Null or unset: every channel. */
  channel?: string | null;
  type: RuleType;
  criteria: RuleCriteria;
  /** Default 0; higher wins. */
  priority?: number;
  /** Default true. */
  enabled?: boolean;
  reason?: string | null;
  /** Sent to a denied sender, when set. */
  denyMessage?: string | null;
}

/** Fields left out (or undefined) are unchanged; null clears a nullable one. */
export type AccessRulePatch = Partial<CreateAccessRuleInput>;

export interface ListAccessRulesOptions {
  /** Only rules of exactly this instance (global rules are not included). */
  instanceId?: string;
  type?: RuleType;
}

export interface EvaluateAccessInput {
  instanceId: string;
  channel: string;
  /** Every identity of the sender's person (or just the sender's, when it has no person). */
  identities: readonly AccessIdentity[];
}

/** Limits of the columns (PostgreSQL enforces them) and of sanity. */
const MAX_ID = 36;
const MAX_TEXT = 255;
const MAX_DENY_MESSAGE = 4096;
const MAX_PRIORITY = 1_000_000;

/**
 * Access rules: CRUD and the decision for one sender. Each method uses the given EntityManager
 * or forks its own. Invalid input throws OmniError VALIDATION_ERROR, unknown ids NOT_FOUND.
 */
export class AccessRuleService {
  /**
   * The enabled rules, read once and reused: every message is checked against them. Writes here
   * drop the copy; other processes' writes are seen within `cacheTtlMs`.
   */
  private enabled?: { rules: Promise<AccessRule[]>; until: number };

  constructor(
    private readonly db: Database,
    private readonly cacheTtlMs = 1_000,
  ) {}

  /** Highest priority first, then oldest. */
  async list(options: ListAccessRulesOptions = {}, em: EntityManager = this.db.fork()): Promise<AccessRule[]> {
    const where: FilterQuery<AccessRule> = {};
    if (options.instanceId !== undefined) where.instanceId = options.instanceId;
    if (options.type !== undefined) where.type = checkType(options.type);
    return em.find(AccessRuleSchema, where, { orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }] });
  }

  get(id: string, em: EntityManager = this.db.fork()): Promise<AccessRule | null> {
    return em.findOne(AccessRuleSchema, { id });
  }

  async create(input: CreateAccessRuleInput, em: EntityManager = this.db.fork()): Promise<AccessRule> {
    this.enabled = undefined;
    if (input.criteria === undefined) throw new OmniError('VALIDATION_ERROR', 'criteria is required');
    const rule = em.create(AccessRuleSchema, {
      instanceId: checkOptional('instanceId', input.instanceId, MAX_ID) ?? null,
      channel: checkOptional('channel', input.channel, MAX_TEXT) ?? null,
      type: checkType(input.type),
      pattern: patternFromCriteria(input.criteria),
      priority: checkPriority(input.priority) ?? 0,
      enabled: checkEnabled(input.enabled) ?? true,
      reason: checkOptional('reason', input.reason, MAX_TEXT) ?? null,
      denyMessage: checkOptional('denyMessage', input.denyMessage, MAX_DENY_MESSAGE) ?? null,
    });
    await em.flush();
    return rule;
  }

  /** Throws NOT_FOUND for an unknown id. */
  async update(id: string, patch: AccessRulePatch, em: EntityManager = this.db.fork()): Promise<AccessRule> {
    this.enabled = undefined;
    const changes: Partial<AccessRule> = {};
    // Validate everything before touching the rule.
    if (patch.instanceId !== undefined) changes.instanceId = checkOptional('instanceId', patch.instanceId, MAX_ID);
    if (patch.channel !== undefined) changes.channel = checkOptional('channel', patch.channel, MAX_TEXT);
    if (patch.type !== undefined) changes.type = checkType(patch.type);
    if (patch.criteria !== undefined) changes.pattern = patternFromCriteria(patch.criteria);
    if (patch.priority !== undefined) changes.priority = checkPriority(patch.priority);
    if (patch.enabled !== undefined) changes.enabled = checkEnabled(patch.enabled);
    if (patch.reason !== undefined) changes.reason = checkOptional('reason', patch.reason, MAX_TEXT);
    if (patch.denyMessage !== undefined) changes.denyMessage = checkOptional('denyMessage', patch.denyMessage, MAX_DENY_MESSAGE);

    const rule = await em.findOne(AccessRuleSchema, { id });
    if (!rule) throw new OmniError('NOT_FOUND', `access rule ${id} not found`);
    em.assign(rule, changes);
    await em.flush();
    return rule;
  }

  /** False when there was no such rule. */
  async delete(id: string, em: EntityManager = this.db.fork()): Promise<boolean> {
    this.enabled = undefined;
    return (await em.nativeDelete(AccessRuleSchema, { id })) > 0;
  }

  /**
   * Decides whether a sender may reach the agent on this instance and channel. Rules considered:
   * enabled ones whose instance is unset or this one and whose channel is unset or this one. A
   * rule matches when its pattern matches any identity's platform user id or phone; the deciding
   * rule is chosen by `compareRules`. No match: allowed, reason `no rule matched`, no rule.
   */
  async evaluate(input: EvaluateAccessInput, em: EntityManager = this.db.fork()): Promise<AccessDecision> {
    const candidates = candidatesOf(input.identities);
    if (candidates.length === 0) return decisionOf(undefined);
    if (!this.enabled || this.enabled.until <= Date.now()) {
      const rules = em.find(AccessRuleSchema, { enabled: true });
      this.enabled = { rules, until: Date.now() + this.cacheTtlMs };
      rules.catch(() => (this.enabled = undefined));
    }
    const rules = (await this.enabled.rules).filter((r) => (r.instanceId === null || r.instanceId === input.instanceId) && (r.channel === null || r.channel === input.channel));
    return decisionOf(selectRule(rules, candidates));
  }
}

function checkType(type: unknown): RuleType {
  if (!RULE_TYPES.includes(type as RuleType)) throw new OmniError('VALIDATION_ERROR', `type must be one of ${RULE_TYPES.join(', ')}`);
  return type as RuleType;
}

/** Undefined stays undefined; null and '' become null; anything else must be a string of at most `max` characters. */
function checkOptional(name: string, value: string | null | undefined, max: number): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || [...value].length > max) throw new OmniError('VALIDATION_ERROR', `${name} must be a string of at most ${max} characters`);
  return value;
}

function checkPriority(priority: number | undefined): number | undefined {
  if (priority === undefined) return undefined;
  if (!Number.isInteger(priority) || Math.abs(priority) > MAX_PRIORITY) {
    throw new OmniError('VALIDATION_ERROR', `priority must be an integer from -${MAX_PRIORITY} to ${MAX_PRIORITY}`);
  }
  return priority;
}

function checkEnabled(enabled: boolean | undefined): boolean | undefined {
  if (enabled !== undefined && typeof enabled !== 'boolean') throw new OmniError('VALIDATION_ERROR', 'enabled must be a boolean');
  return enabled;
}
