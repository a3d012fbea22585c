import type { AccessVerdict, HookPayload } from '@omni/plugin-sdk';
import { phoneFromPlatformUserId, senderPhone } from '../identity/phone.js';
import type { AccessDecision, AccessIdentity } from './access-rules.js';
import type { EvaluateAccessInput } from './access-rule-service.js';
import { attachedIdentities } from './known-identities.js';

/** What the hook needs of the access rules (`AccessRuleService`). */
export interface AccessEvaluator {
  evaluate(input: EvaluateAccessInput): Promise<AccessDecision>;
}

/** What the hook needs of identities (`IdentityService`). */
export interface PersonIdentities {
  identitiesOf(personId: string): Promise<readonly AccessIdentity[]>;
}

/** What the access check needs of identities (`IdentityService`). */
export interface IdentityLookup extends PersonIdentities {
  findIdentity(channel: string, platformUserId: string): Promise<{ personId: string } | null>;
  findPersonIdByPhone(phone: string): Promise<string | undefined>;
}

export type AccessHookHandler = (payload: HookPayload<'message.access'>) => Promise<AccessVerdict | undefined>;

/**
 * A `message.access` handler: evaluates the rules on every identity of the sender's person
 * (`context.personId`) plus the sender itself, so a WhatsApp LID sender is matched by a rule on
 * its person's phone. Returns the verdict when a rule decided, and undefined when none matched,
 * so later handlers and the default decide. Register it with order 0. The person's identities
 * come from the router when it attached them (`known-identities.ts`), else from `identities`.
 */
export function createAccessHook(access: AccessEvaluator, identities: PersonIdentities): AccessHookHandler {
  return async ({ message, context }) => {
    const sender: AccessIdentity = { platformUserId: message.sender.id, phone: senderPhone(context.channel, message.sender) ?? null };
    const known = context.personId === undefined ? [] : (attachedIdentities(context) ?? (await identities.identitiesOf(context.personId)));
    const decision = await access.evaluate({ instanceId: context.instanceId, channel: context.channel, identities: [...known, sender] });
    if (!decision.rule) return undefined;
    return { allowed: decision.allowed, reason: decision.reason, ruleId: decision.rule.id };
  };
}

export interface CheckAccessInput {
  instanceId: string;
  channel: string;
  platformUserId: string;
}

/**
 * The decision a message from this platform user would get: rules are matched on the identities
 * of its person when the user is known (by its identity, or on phone channels by its number), and
 * on the given id (and the phone it stands for) otherwise.
 */
export async function checkAccess(access: AccessEvaluator, identities: IdentityLookup, input: CheckAccessInput): Promise<AccessDecision> {
  const phone = phoneFromPlatformUserId(input.channel, input.platformUserId);
  const identity = await identities.findIdentity(input.channel, input.platformUserId);
  const personId = identity?.personId ?? (phone === undefined ? undefined : await identities.findPersonIdByPhone(phone));
  const known = personId === undefined ? [] : await identities.identitiesOf(personId);
  return access.evaluate({
    instanceId: input.instanceId,
    channel: input.channel,
    identities: [...known, { platformUserId: input.platformUserId, phone: phone ?? null }],
  });
}
