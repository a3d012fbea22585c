import { isOmniError } from '@omni/plugin-sdk';
import { describe, expect, it } from 'vitest';
import type { AccessRule } from '../db/entities/access-rule.js';
import { candidatesOf, compareRules, criteriaFromPattern, decisionOf, patternFromCriteria, patternMatches, selectRule, validatePattern } from './access-rules.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return isOmniError(err) ? err.code : 'not an OmniError';
  }
  return 'no error';
};

let seq = 0;
const rule = (over: Partial<AccessRule> & Pick<AccessRule, 'pattern'>): AccessRule => ({
  id: `r${String(++seq).padStart(3, '0')}`,
  instanceId: null,
  channel: null,
  type: 'deny',
  priority: 0,
  enabled: true,
  reason: null,
  denyMessage: null,
  createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)),
  updatedAt: new Date(Date.UTC(2025, 0, 1)),
  ...over,
});

describe('patterns', () => {
  it('validates: non-empty, at most 255 characters, one `*` and only at the end', () => {
    for (const ok of ['a', '*', '+5511*', '123@lid', 'x'.repeat(255), `${'é'.repeat(254)}*`]) expect(validatePattern(ok)).toBe(ok);
    for (const bad of ['', '   ', ' a', 'a ', 'x'.repeat(256), '**', 'a*b', '*a', '+55*11*']) expect(codeOf(() => validatePattern(bad))).toBe('VALIDATION_ERROR');
  });

  it('stores phone criteria in E.164 and platform user ids as given', () => {
    expect(patternFromCriteria({ phone: '+55 (11) 99999-0000' })).toBe('+5511999990000');
    expect(patternFromCriteria({ phone: '5511999990000@s.whatsapp.net' })).toBe('+5511999990000');
    expect(patternFromCriteria({ phone: '+55 11*' })).toBe('+5511*');
    expect(patternFromCriteria({ phone: '5511*' })).toBe('+5511*');
    expect(patternFromCriteria({ phone: '0044*' })).toBe('+44*');
    expect(patternFromCriteria({ phone: '*' })).toBe('*');
    expect(patternFromCriteria({ platformUserId: ' 123@lid ' })).toBe('123@lid');
    expect(patternFromCriteria({ platformUserId: '5511*' })).toBe('5511*');

    for (const phone of ['abc', '123@lid', '+*', '0*', '+55*11', '', '12']) expect(codeOf(() => patternFromCriteria({ phone }))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => patternFromCriteria({} as never))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => patternFromCriteria({ phone: '+5511999990000', platformUserId: 'x' } as never))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => patternFromCriteria({ platformUserId: 42 } as never))).toBe('VALIDATION_ERROR');
  });

  it('gives back criteria from the stored pattern', () => {
    expect(criteriaFromPattern('+5511999990000')).toEqual({ phone: '+5511999990000' });
    expect(criteriaFromPattern('+5511*')).toEqual({ phone: '+5511*' });
    expect(criteriaFromPattern('5511*')).toEqual({ platformUserId: '5511*' });
    expect(criteriaFromPattern('123@lid')).toEqual({ platformUserId: '123@lid' });
    expect(criteriaFromPattern('*')).toEqual({ platformUserId: '*' });
  });

  it('matches exactly, or by prefix with a trailing `*`', () => {
    expect(patternMatches('+5511999990000', '+5511999990000')).toBe(true);
    expect(patternMatches('+5511999990000', '+55119999900001')).toBe(false);
    expect(patternMatches('+5511', '+5511999990000')).toBe(false);
    expect(patternMatches('+5511*', '+5511999990000')).toBe(true);
    expect(patternMatches('+5511*', '+5511')).toBe(true);
    expect(patternMatches('+5511*', '+5521999990000')).toBe(false);
    expect(patternMatches('*', 'anything')).toBe(true);
    expect(patternMatches('Abc', 'abc')).toBe(false);
  });

  it('takes candidates from every identity’s id and normalized phone', () => {
    expect(
      candidatesOf([
        { platformUserId: '123@lid', phone: '+55 11 99999-0000' },
        { platformUserId: '5511999990000@s.whatsapp.net', phone: '+5511999990000' },
        { platformUserId: 'discord-1', phone: null },
        { platformUserId: 'tg', phone: 'not a phone' },
      ]),
    ).toEqual(['123@lid', '+5511999990000', '5511999990000@s.whatsapp.net', 'discord-1', 'tg']);
  });
});

describe('choosing the deciding rule', () => {
  const pick = (rules: AccessRule[], candidates = ['+5511999990000']) => selectRule(rules, candidates)?.id;

  it('ignores rules that do not match', () => {
    const miss = rule({ pattern: '+5521*' });
    expect(pick([miss])).toBeUndefined();
    expect(pick([])).toBeUndefined();
  });

  it('prefers higher priority over everything else', () => {
    const low = rule({ pattern: '+5511999990000', instanceId: 'i', type: 'deny' });
    const high = rule({ pattern: '*', type: 'allow', priority: 1 });
    expect(pick([low, high])).toBe(high.id);
  });

  it('then instance-scoped over global, even with a shorter pattern', () => {
    const global = rule({ pattern: '+5511999990000' });
    const scoped = rule({ pattern: '+55*', instanceId: 'i', type: 'allow' });
    expect(pick([global, scoped])).toBe(scoped.id);
  });

  it('then the longer pattern, then exact over prefix', () => {
    const short = rule({ pattern: '+55*' });
    const long = rule({ pattern: '+5511*', type: 'allow' });
    expect(pick([short, long])).toBe(long.id);
    const exact = rule({ pattern: '+5511999990000', type: 'allow' });
    expect(pick([short, long, exact])).toBe(exact.id);
    const prefixOfSameLength = rule({ pattern: '+5511999990000*' });
    expect(pick([prefixOfSameLength, exact])).toBe(exact.id);
  });

  it('then deny over allow, then the older rule', () => {
    const allow = rule({ pattern: '+5511*', type: 'allow' });
    const deny = rule({ pattern: '+5511*', type: 'deny' });
    expect(pick([allow, deny])).toBe(deny.id);
    const laterDeny = rule({ pattern: '+5511*', type: 'deny' });
    expect(pick([laterDeny, deny, allow])).toBe(deny.id);
    expect([laterDeny, deny, allow].sort(compareRules).map((r) => r.id)).toEqual([deny.id, laterDeny.id, allow.id]);
  });

  it('matches a rule on any candidate', () => {
    const byLid = rule({ pattern: '123@lid' });
    expect(pick([byLid], ['+5511999990000', '123@lid'])).toBe(byLid.id);
  });

  it('turns the rule into a verdict that names it', () => {
    const deny = rule({ pattern: '+5511*' });
    expect(decisionOf(deny)).toEqual({ allowed: false, reason: `deny rule ${deny.id} (+5511*)`, ruleId: deny.id, rule: deny });
    const allow = rule({ pattern: 'x', type: 'allow', reason: 'vip' });
    expect(decisionOf(allow)).toMatchObject({ allowed: true, reason: `allow rule ${allow.id} (x): vip`, ruleId: allow.id });
    expect(decisionOf(undefined)).toEqual({ allowed: true, reason: 'no rule matched' });
  });
});
