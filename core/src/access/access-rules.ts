import { OmniError, type AccessVerdict } from '@omni/plugin-sdk';
import type { AccessRule } from '../db/entities/access-rule.js';
import { normalizePhone } from '../identity/phone.js';

/**
 * Access rule patterns and the choice of the deciding rule: pure functions, no database.
 *
 * A pattern is an exact string or a prefix ending in `*` (`+5511*`; `*` alone matches everyone).
 * It is matched against every candidate of the sender: each identity's platform user id and phone.
 */

export const MAX_PATTERN_LENGTH = 255;

/** What a rule matches, as the API states it. Stored as one `pattern`. */
export type RuleCriteria = { phone: string; platformUserId?: undefined } | { platformUserId: string; phone?: undefined };

/** One identity of the sender, as far as rules care. */
export interface AccessIdentity {
  platformUserId: string;
  phone?: string | null | undefined;
}

/** A verdict, with the rule that decided it (none: the default). */
export type AccessDecision = AccessVerdict & { rule?: AccessRule };

export const DEFAULT_DECISION: AccessDecision = Object.freeze({ allowed: true, reason: 'no rule matched' });

/** Throws OmniError VALIDATION_ERROR unless `pattern` is 1 to 255 characters with at most one `*`, at the end. */
export function validatePattern(pattern: string): string {
  const fail = (why: string) => {
    throw new OmniError('VALIDATION_ERROR', `invalid pattern ${JSON.stringify(pattern)}: ${why}`, { details: [{ path: 'pattern', message: why }] });
  };
  if (typeof pattern !== 'string' || pattern.trim() === '') return fail('it is empty');
  if (pattern !== pattern.trim()) return fail('it has leading or trailing spaces');
  if ([...pattern].length > MAX_PATTERN_LENGTH) return fail(`it is longer than ${MAX_PATTERN_LENGTH} characters`);
  const star = pattern.indexOf('*');
  if (star !== -1 && star !== pattern.length - 1) return fail('`*` may only end the pattern');
  return pattern;
}

/**
 * The stored pattern for criteria. A platform user id is kept as given (trimmed); a phone becomes
 * E.164 (`+55 (11) 9999-0000` → `+551199990000`, `5511*` → `+5511*`). Throws VALIDATION_ERROR for
 * criteria with neither or both, and for a phone that is none.
 */
export function patternFromCriteria(criteria: RuleCriteria): string {
  const { phone, platformUserId } = criteria as { phone?: unknown; platformUserId?: unknown };
  if ((phone === undefined) === (platformUserId === undefined)) {
    throw new OmniError('VALIDATION_ERROR', 'criteria needs exactly one of phone and platformUserId', { details: [{ path: 'criteria', message: 'exactly one of phone, platformUserId' }] });
  }
  if (typeof platformUserId === 'string') return validatePattern(platformUserId.trim());
  if (typeof phone !== 'string') throw new OmniError('VALIDATION_ERROR', 'criteria values must be strings');
  return phonePattern(validatePattern(phone.trim()));
}

/** The criteria a stored pattern came from: `+digits` (with or without `*`) is a phone. */
export function criteriaFromPattern(pattern: string): RuleCriteria {
  return /^\+\d+\*?$/.test(pattern) ? { phone: pattern } : { platformUserId: pattern };
}

function phonePattern(pattern: string): string {
  if (pattern === '*') return pattern;
  const invalid = () => new OmniError('VALIDATION_ERROR', `${JSON.stringify(pattern)} is not a phone number or a phone prefix ending in *`, { details: [{ path: 'criteria.phone', message: 'not a phone number' }] });
  if (!pattern.endsWith('*')) {
    const e164 = normalizePhone(pattern);
    if (!e164) throw invalid();
    return e164;
  }
  let digits = pattern.slice(0, -1).replace(/[\s\-.()/]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  if (!/^[1-9]\d{0,14}$/.test(digits)) throw invalid();
  return `+${digits}*`;
}

/** Exact, or prefix when the pattern ends in `*`. Case-sensitive. */
export function patternMatches(pattern: string, candidate: string): boolean {
  return pattern.endsWith('*') ? candidate.startsWith(pattern.slice(0, -1)) : candidate === pattern;
}

/** The strings rules are matched against: each identity's platform user id and E.164 phone. */
export function candidatesOf(identities: readonly AccessIdentity[]): string[] {
  const candidates = new Set<string>();
  for (const identity of identities) {
    if (identity.platformUserId) candidates.add(identity.platformUserId);
    const phone = normalizePhone(identity.phone);
    if (phone) candidates.add(phone);
  }
  return [...candidates];
}

/**
 * Orders rules so the deciding one comes first:
 * 1. higher priority;
 * 2. instance-scoped before global;
 * 3. longer pattern (without its `*`) before shorter;
 * 4. exact before prefix (same length);
 * 5. deny before allow;
 * 6. older before newer, then by id (only so the choice is stable).
 */
export function compareRules(a: AccessRule, b: AccessRule): number {
  const stem = (r: AccessRule) => [...(r.pattern.endsWith('*') ? r.pattern.slice(0, -1) : r.pattern)].length;
  return (
    b.priority - a.priority ||
    Number(b.instanceId !== null) - Number(a.instanceId !== null) ||
    stem(b) - stem(a) ||
    Number(!b.pattern.endsWith('*')) - Number(!a.pattern.endsWith('*')) ||
    Number(b.type === 'deny') - Number(a.type === 'deny') ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * The deciding rule among `rules` (already scoped to the instance and channel, and enabled) for
 * a sender with these candidates, or undefined when none matches.
 */
export function selectRule(rules: readonly AccessRule[], candidates: readonly string[]): AccessRule | undefined {
  const matching = rules.filter((rule) => candidates.some((candidate) => patternMatches(rule.pattern, candidate)));
  return matching.sort(compareRules)[0];
}

/** The verdict a rule gives; its reason names the rule (`deny rule <id> (<pattern>)[: <reason>]`). */
export function decisionOf(rule: AccessRule | undefined): AccessDecision {
  if (!rule) return { ...DEFAULT_DECISION };
  const reason = `${rule.type} rule ${rule.id} (${rule.pattern})${rule.reason ? `: ${rule.reason}` : ''}`;
  return { allowed: rule.type === 'allow', reason, ruleId: rule.id, rule };
}
