import type { HookPayload } from '@omni/plugin-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/create-database.js';
import { AccessRuleSchema } from '../db/entities/access-rule.js';
import { PersonSchema } from '../db/entities/person.js';
import { PlatformIdentitySchema } from '../db/entities/platform-identity.js';
import type { Dialect } from '../db/storage.js';
import { IdentityService } from '../identity/identity-service.js';
import { requireServiceUrl } from '../testing/require-service.js';
import { createTestDatabase } from '../testing/test-database.js';
import { checkAccess, createAccessHook } from './access-hook.js';
import { AccessRuleService, type CreateAccessRuleInput } from './access-rule-service.js';
import { expectOmniError } from '../testing/expect-omni-error.js';

const postgres = requireServiceUrl('DATABASE_URL');


const PHONE = '+5511999990000';
const JID = '5511999990000@s.whatsapp.net';
const LID = '123456789012345@lid';
const WA = 'whatsapp-baileys';
const UNKNOWN = '00000000-0000-0000-0000-000000000000';

describe.each<Dialect>(['sqlite', 'postgresql'])('access rules (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('contract', () => {
    let db: Database;
    let access: AccessRuleService;
    let identities: IdentityService;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      identities = new IdentityService(db);
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      const em = db.fork();
      await em.nativeDelete(AccessRuleSchema, {});
      await em.nativeDelete(PlatformIdentitySchema, {});
      await em.nativeDelete(PersonSchema, {});
      // A fresh service per test: the rows were just deleted behind the back of any earlier one's rule cache.
      access = new AccessRuleService(db);
    });

    it('sees rules written elsewhere once its cache expires', async () => {
      const cached = new AccessRuleService(db, 50);
      const identities = [{ platformUserId: 'u-1', phone: null }];
      expect((await cached.evaluate({ instanceId: 'i', channel: 'c', identities })).rule).toBeUndefined();
      await access.create({ type: 'deny', criteria: { platformUserId: 'u-1' } });
      await new Promise((r) => setTimeout(r, 60));
      expect((await cached.evaluate({ instanceId: 'i', channel: 'c', identities })).allowed).toBe(false);
    });

    const deny = (criteria: CreateAccessRuleInput['criteria'], over: Partial<CreateAccessRuleInput> = {}) => access.create({ type: 'deny', criteria, ...over });
    const allow = (criteria: CreateAccessRuleInput['criteria'], over: Partial<CreateAccessRuleInput> = {}) => access.create({ type: 'allow', criteria, ...over });
    const evaluate = (ids: Array<{ platformUserId: string; phone?: string | null }>, instanceId = 'inst-1', channel = WA) => access.evaluate({ instanceId, channel, identities: ids });
    const byPhone = (phone = PHONE) => [{ platformUserId: `${phone.slice(1)}@s.whatsapp.net`, phone }];

    describe('CRUD', () => {
      it('creates with defaults, reads, lists with filters, updates partially and deletes', async () => {
        const created = await deny({ phone: '+55 11*' });
        expect(created).toMatchObject({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          instanceId: null,
          channel: null,
          type: 'deny',
          pattern: '+5511*',
          priority: 0,
          enabled: true,
          reason: null,
          denyMessage: null,
          createdAt: expect.any(Date),
        });
        expect(await access.get(created.id)).toMatchObject({ id: created.id, pattern: '+5511*', enabled: true });
        expect(await access.get(UNKNOWN)).toBeNull();

        const scoped = await allow({ platformUserId: LID }, { instanceId: 'inst-1', channel: WA, priority: 5, reason: 'vip', denyMessage: '' });
        expect(scoped).toMatchObject({ instanceId: 'inst-1', channel: WA, priority: 5, reason: 'vip', denyMessage: null, pattern: LID });
        await deny({ platformUserId: 'x' }, { instanceId: 'inst-2', priority: 5 });

        const ids = async (options: Parameters<AccessRuleService['list']>[0]) => (await access.list(options)).map((r) => r.pattern);
        expect(await ids({})).toEqual([LID, 'x', '+5511*']);
        expect(await ids({ instanceId: 'inst-1' })).toEqual([LID]);
        expect(await ids({ type: 'deny' })).toEqual(['x', '+5511*']);
        expect(await ids({ instanceId: 'inst-2', type: 'allow' })).toEqual([]);

        const updated = await access.update(created.id, { enabled: false, criteria: { platformUserId: 'abc*' }, denyMessage: 'go away', priority: undefined });
        expect(updated).toMatchObject({ pattern: 'abc*', enabled: false, denyMessage: 'go away', priority: 0, type: 'deny' });
        expect(await access.get(created.id)).toMatchObject({ pattern: 'abc*', enabled: false, denyMessage: 'go away' });
        expect(await access.update(created.id, { denyMessage: null, instanceId: 'inst-9' })).toMatchObject({ denyMessage: null, instanceId: 'inst-9' });

        expect(await access.delete(created.id)).toBe(true);
        expect(await access.delete(created.id)).toBe(false);
        expect(await access.get(created.id)).toBeNull();
      });

      it('rejects invalid rules, changing nothing', async () => {
        await expectOmniError(deny({ platformUserId: '' }), 'VALIDATION_ERROR');
        await expectOmniError(deny({ platformUserId: 'a*b' }), 'VALIDATION_ERROR');
        await expectOmniError(deny({ platformUserId: '**' }), 'VALIDATION_ERROR');
        await expectOmniError(deny({ platformUserId: 'x'.repeat(256) }), 'VALIDATION_ERROR');
        await expectOmniError(deny({ phone: 'not a phone' }), 'VALIDATION_ERROR');
        await expectOmniError(deny({} as never), 'VALIDATION_ERROR');
        await expectOmniError(access.create({ type: 'block' as never, criteria: { phone: PHONE } }), 'VALIDATION_ERROR');
        await expectOmniError(deny({ phone: PHONE }, { priority: 1.5 }), 'VALIDATION_ERROR');
        await expectOmniError(deny({ phone: PHONE }, { instanceId: 'x'.repeat(37) }), 'VALIDATION_ERROR');
        await expectOmniError(deny({ phone: PHONE }, { reason: 'x'.repeat(256) }), 'VALIDATION_ERROR');
        await expectOmniError(access.list({ type: 'block' as never }), 'VALIDATION_ERROR');
        expect(await access.list()).toEqual([]);

        const rule = await deny({ phone: PHONE });
        await expectOmniError(access.update(rule.id, { criteria: { phone: '+55*11' } }), 'VALIDATION_ERROR');
        await expectOmniError(access.update(rule.id, { enabled: 'yes' as never }), 'VALIDATION_ERROR');
        await expectOmniError(access.update(UNKNOWN, { enabled: false }), 'NOT_FOUND');
        expect(await access.get(rule.id)).toMatchObject({ pattern: PHONE, enabled: true });
      });
    });

    describe('evaluate', () => {
      it('allows by default when no rule matches', async () => {
        expect(await evaluate(byPhone())).toEqual({ allowed: true, reason: 'no rule matched' });
        await deny({ phone: '+5521*' });
        expect(await evaluate(byPhone())).toEqual({ allowed: true, reason: 'no rule matched' });
        expect(await evaluate([])).toEqual({ allowed: true, reason: 'no rule matched' });
      });

      it('matches exactly or by prefix, on the id or the phone', async () => {
        const exact = await deny({ phone: PHONE });
        expect(await evaluate(byPhone())).toMatchObject({ allowed: false, ruleId: exact.id, reason: `deny rule ${exact.id} (${PHONE})` });
        expect(await evaluate(byPhone('+55119999900001'))).toMatchObject({ allowed: true, reason: 'no rule matched' });

        const prefix = await deny({ phone: '+5521*' });
        expect(await evaluate(byPhone('+5521988887777'))).toMatchObject({ allowed: false, ruleId: prefix.id, rule: { id: prefix.id, pattern: '+5521*' } });

        const byId = await deny({ platformUserId: 'discord-7' });
        expect(await evaluate([{ platformUserId: 'discord-7' }], 'inst-1', 'discord')).toMatchObject({ allowed: false, ruleId: byId.id });
        expect(await evaluate([{ platformUserId: 'discord-77' }], 'inst-1', 'discord')).toMatchObject({ allowed: true, reason: 'no rule matched' });
      });

      it('lets a higher priority win', async () => {
        await deny({ phone: PHONE });
        const vip = await allow({ platformUserId: '*' }, { priority: 10 });
        expect(await evaluate(byPhone())).toMatchObject({ allowed: true, ruleId: vip.id });
      });

      it('prefers instance rules over global ones, and ignores other instances’ rules', async () => {
        await deny({ phone: PHONE });
        const scoped = await allow({ phone: '+55*' }, { instanceId: 'inst-1' });
        await deny({ phone: '+55*' }, { instanceId: 'inst-2', priority: 100 });
        expect(await evaluate(byPhone(), 'inst-1')).toMatchObject({ allowed: true, ruleId: scoped.id });
        expect(await evaluate(byPhone(), 'inst-3')).toMatchObject({ allowed: false, rule: { pattern: PHONE, instanceId: null } });
      });

      it('prefers the longer pattern, and deny on a tie', async () => {
        await allow({ phone: '+55*' });
        const longer = await deny({ phone: '+5511*' });
        expect(await evaluate(byPhone())).toMatchObject({ allowed: false, ruleId: longer.id });
        const exact = await allow({ phone: PHONE });
        expect(await evaluate(byPhone())).toMatchObject({ allowed: true, ruleId: exact.id });
        const tie = await deny({ platformUserId: PHONE });
        expect(await evaluate(byPhone())).toMatchObject({ allowed: false, ruleId: tie.id });
      });

      it('skips disabled rules', async () => {
        const off = await deny({ phone: PHONE });
        await access.update(off.id, { enabled: false });
        expect(await evaluate(byPhone())).toMatchObject({ allowed: true, reason: 'no rule matched' });
        await access.update(off.id, { enabled: true });
        expect(await evaluate(byPhone())).toMatchObject({ allowed: false, ruleId: off.id });
      });

      it('applies channel rules only on their channel', async () => {
        const waOnly = await deny({ phone: PHONE }, { channel: WA });
        expect(await evaluate(byPhone(), 'inst-1', WA)).toMatchObject({ allowed: false, ruleId: waOnly.id });
        expect(await evaluate([{ platformUserId: '777', phone: PHONE }], 'inst-1', 'telegram')).toMatchObject({ allowed: true, reason: 'no rule matched' });
      });

      it('matches a WhatsApp LID sender through its person’s phone identity', async () => {
        const rule = await deny({ phone: '+5511*' });
        const jid = await identities.resolveSender({ channel: WA, sender: { id: JID } });
        // The LID message carries no phone: only the person (linked by an operator) ties it to the number.
        const lid = await identities.resolveSender({ channel: WA, sender: { id: LID } });
        expect(await evaluate(lid.identities)).toMatchObject({ allowed: true, reason: 'no rule matched' });
        await identities.link(lid.identityId, jid.identityId);
        const person = await identities.identitiesOf(lid.personId);
        expect(person.map((i) => i.platformUserId)).toEqual([JID, LID]);
        expect(await evaluate(person)).toMatchObject({ allowed: false, ruleId: rule.id });
      });
    });

    describe('message.access hook', () => {
      const payload = (senderId: string, personId?: string, extra: { phone?: string; instanceId?: string } = {}): HookPayload<'message.access'> => ({
        message: {
          externalId: 'm1',
          chatId: senderId,
          chatType: 'dm',
          sender: { id: senderId, ...(extra.phone === undefined ? {} : { phone: extra.phone }) },
          content: { type: 'text', text: 'hi' },
          ingestMode: 'realtime',
        },
        context: { instanceId: extra.instanceId ?? 'inst-1', channel: WA, eventId: 'e1', traceId: 't1', ...(personId === undefined ? {} : { personId }) },
      });

      it('decides with a matching rule on any identity of the person, and passes otherwise', async () => {
        const hook = createAccessHook(access, identities);
        await identities.resolveSender({ channel: WA, sender: { id: JID } });
        const lid = await identities.resolveSender({ channel: WA, sender: { id: LID, phone: PHONE } });
        // Another LID of the same person, with no phone of its own in this message.
        const other = await identities.resolveSender({ channel: WA, sender: { id: '999@lid' } });
        await identities.merge(other.personId, lid.personId);

        expect(await hook(payload('999@lid', lid.personId))).toBeUndefined();

        const rule = await deny({ phone: '+5511*' }, { reason: 'region' });
        const verdict = await hook(payload('999@lid', lid.personId));
        expect(verdict).toEqual({ allowed: false, reason: `deny rule ${rule.id} (+5511*): region`, ruleId: rule.id });

        const vip = await allow({ platformUserId: '999@lid' }, { priority: 1 });
        expect(await hook(payload('999@lid', lid.personId))).toEqual({ allowed: true, reason: `allow rule ${vip.id} (999@lid)`, ruleId: vip.id });

        // Without the person only the sender's own id and phone count.
        expect(await hook(payload('888@lid'))).toBeUndefined();
        expect(await hook(payload('888@lid', undefined, { phone: '+55 11 98888-7777' }))).toMatchObject({ allowed: false, ruleId: rule.id });
        expect(await hook(payload('5511988887777@s.whatsapp.net'))).toMatchObject({ allowed: false, ruleId: rule.id });
      });

      it('checks access for a platform user as a message would be', async () => {
        const rule = await deny({ phone: '+5511*' }, { instanceId: 'inst-1' });
        await identities.resolveSender({ channel: WA, sender: { id: LID, phone: PHONE } });
        // Known LID: matched through its phone.
        expect(await checkAccess(access, identities, { instanceId: 'inst-1', channel: WA, platformUserId: LID })).toMatchObject({ allowed: false, ruleId: rule.id });
        // A number of a known person: found by phone.
        expect(await checkAccess(access, identities, { instanceId: 'inst-1', channel: WA, platformUserId: JID })).toMatchObject({ allowed: false, ruleId: rule.id });
        // Unknown LID: nothing to match.
        expect(await checkAccess(access, identities, { instanceId: 'inst-1', channel: WA, platformUserId: '1@lid' })).toEqual({ allowed: true, reason: 'no rule matched' });
        // Another instance: the rule does not apply.
        expect(await checkAccess(access, identities, { instanceId: 'inst-2', channel: WA, platformUserId: LID })).toEqual({ allowed: true, reason: 'no rule matched' });
      });
    });
  });
});
