import { TestHttpClient } from '@omni/plugin-sdk/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccessRuleService } from '../../access/access-rule-service.js';
import type { Database } from '../../db/create-database.js';
import { AccessRuleSchema } from '../../db/entities/access-rule.js';
import { PersonSchema } from '../../db/entities/person.js';
import { PlatformIdentitySchema } from '../../db/entities/platform-identity.js';
import type { Dialect } from '../../db/storage.js';
import { IdentityService } from '../../identity/identity-service.js';
import { requireServiceUrl } from '../../testing/require-service.js';
import { createTestDatabase } from '../../testing/test-database.js';
import { startRouteTestServer, type RouteTestServer } from '../../testing/route-test-server.js';
import { accessRoutes, accessRuleSchema, checkAccessResultSchema } from './access-routes.js';

const postgres = requireServiceUrl('DATABASE_URL');

const PHONE = '+5511999990000';
const LID = '123456789012345@lid';
const WA = 'whatsapp-baileys';
const UNKNOWN = '00000000-0000-0000-0000-000000000000';

describe.each<Dialect>(['sqlite', 'postgresql'])('access routes (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('over HTTP', () => {
    let db: Database;
    let identities: IdentityService;
    let server: RouteTestServer;
    let http: TestHttpClient;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      identities = new IdentityService(db);
      server = await startRouteTestServer(accessRoutes({ access: new AccessRuleService(db), identities }));
      http = new TestHttpClient(server.url);
    });
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });
    beforeEach(async () => {
      const em = db.fork();
      await em.nativeDelete(AccessRuleSchema, {});
      await em.nativeDelete(PlatformIdentitySchema, {});
      await em.nativeDelete(PersonSchema, {});
    });
    afterEach(() => {
      expect(server.errors).toEqual([]);
    });

    const expectValidationError = async (res: Promise<{ status: number; body: any }>, label: string) => {
      const { status, body } = await res;
      expect(status, label).toBe(400);
      expect(body.error.code, label).toBe('VALIDATION_ERROR');
    };

    it('creates a rule (201) that round-trips criteria and action', async () => {
      const res = await http.post('/api/v2/access/rules', {
        instanceId: 'inst-1',
        channel: WA,
        type: 'deny',
        criteria: { phone: '+55 11*' },
        priority: 5,
        reason: 'region',
        action: { denyMessage: 'Sorry, not here.' },
      });
      expect(res.status).toBe(201);
      expect(() => accessRuleSchema.parse(res.body)).not.toThrow();
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        instanceId: 'inst-1',
        channel: WA,
        type: 'deny',
        criteria: { phone: '+5511*' },
        pattern: '+5511*',
        priority: 5,
        enabled: true,
        reason: 'region',
        action: { denyMessage: 'Sorry, not here.' },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await http.get(`/api/v2/access/rules/${res.body.id}`)).body).toEqual(res.body);

      const minimal = await http.post('/api/v2/access/rules', { type: 'allow', criteria: { platformUserId: LID } });
      expect(minimal.status).toBe(201);
      expect(minimal.body).toMatchObject({ instanceId: null, channel: null, criteria: { platformUserId: LID }, priority: 0, enabled: true, reason: null, action: { denyMessage: null } });
    });

    it('rejects invalid rules with 400 VALIDATION_ERROR', async () => {
      const bodies: Array<[string, unknown]> = [
        ['no body', undefined],
        ['no criteria', { type: 'deny' }],
        ['both criteria', { type: 'deny', criteria: { phone: PHONE, platformUserId: 'x' } }],
        ['empty criteria', { type: 'deny', criteria: {} }],
        ['unknown criteria', { type: 'deny', criteria: { phone_number: PHONE } }],
        ['empty pattern', { type: 'deny', criteria: { platformUserId: '' } }],
        ['star inside', { type: 'deny', criteria: { platformUserId: 'a*b' } }],
        ['two stars', { type: 'deny', criteria: { phone: '+55**' } }],
        ['long pattern', { type: 'deny', criteria: { platformUserId: 'x'.repeat(256) } }],
        ['not a phone', { type: 'deny', criteria: { phone: 'abc' } }],
        ['a LID as phone', { type: 'deny', criteria: { phone: LID } }],
        ['bad type', { type: 'block', criteria: { phone: PHONE } }],
        ['fractional priority', { type: 'deny', criteria: { phone: PHONE }, priority: 1.5 }],
        ['huge priority', { type: 'deny', criteria: { phone: PHONE }, priority: 1e12 }],
        ['long instance id', { type: 'deny', criteria: { phone: PHONE }, instanceId: 'x'.repeat(37) }],
        ['long reason', { type: 'deny', criteria: { phone: PHONE }, reason: 'x'.repeat(256) }],
      ];
      for (const [label, body] of bodies) await expectValidationError(http.post('/api/v2/access/rules', body), label);
      expect((await http.get('/api/v2/access/rules')).body).toEqual({ items: [] });
    });

    it('lists with instanceId and type filters', async () => {
      const create = async (body: object) => (await http.post('/api/v2/access/rules', body)).body.id as string;
      const global = await create({ type: 'deny', criteria: { phone: '+55*' } });
      const scoped = await create({ type: 'allow', criteria: { phone: PHONE }, instanceId: 'inst-1', priority: 3 });
      const other = await create({ type: 'deny', criteria: { platformUserId: 'x' }, instanceId: 'inst-2' });
      const ids = async (query: string) => {
        const res = await http.get(`/api/v2/access/rules${query}`);
        expect(res.status).toBe(200);
        return res.body.items.map((r: { id: string }) => r.id);
      };
      expect(await ids('')).toEqual([scoped, global, other]);
      expect(await ids('?instanceId=inst-1')).toEqual([scoped]);
      expect(await ids('?type=deny')).toEqual([global, other]);
      expect(await ids('?instanceId=inst-2&type=allow')).toEqual([]);
      await expectValidationError(http.get('/api/v2/access/rules?type=block'), 'bad type');
      await expectValidationError(http.get('/api/v2/access/rules?instanceId='), 'empty instance');
    });

    it('updates partially, deletes, and answers 404 for unknown ids', async () => {
      const created = (await http.post('/api/v2/access/rules', { type: 'deny', criteria: { phone: PHONE }, action: { denyMessage: 'no' }, reason: 'r' })).body;

      const patched = await http.patch(`/api/v2/access/rules/${created.id}`, { enabled: false, criteria: { platformUserId: LID }, priority: 2 });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: created.id, enabled: false, criteria: { platformUserId: LID }, pattern: LID, priority: 2, type: 'deny', reason: 'r', action: { denyMessage: 'no' } });
      const cleared = await http.patch(`/api/v2/access/rules/${created.id}`, { action: { denyMessage: null }, reason: null, type: 'allow' });
      expect(cleared.body).toMatchObject({ action: { denyMessage: null }, reason: null, type: 'allow', enabled: false });
      expect((await http.patch(`/api/v2/access/rules/${created.id}`, {})).body).toMatchObject({ id: created.id, type: 'allow' });

      await expectValidationError(http.patch(`/api/v2/access/rules/${created.id}`, { criteria: { phone: 'a*b' } }), 'bad pattern');
      await expectValidationError(http.patch(`/api/v2/access/rules/${created.id}`, { enabled: 'no' }), 'bad enabled');
      await expectValidationError(http.patch(`/api/v2/access/rules/${created.id}`, { type: 'block' }), 'bad type');

      for (const [method, path] of [
        ['GET', `/api/v2/access/rules/${UNKNOWN}`],
        ['PATCH', `/api/v2/access/rules/${UNKNOWN}`],
        ['DELETE', `/api/v2/access/rules/${UNKNOWN}`],
        ['GET', '/api/v2/access/rules/nope'],
      ] as const) {
        const res = await http.request(method, path, method === 'PATCH' ? { body: { enabled: true } } : {});
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }

      const deleted = await http.delete(`/api/v2/access/rules/${created.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ success: true });
      expect((await http.delete(`/api/v2/access/rules/${created.id}`)).status).toBe(404);
      expect((await http.get(`/api/v2/access/rules/${created.id}`)).status).toBe(404);
    });

    it('checks access on every identity of the user’s person', async () => {
      await identities.resolveSender({ channel: WA, sender: { id: '5511999990000@s.whatsapp.net' } });
      await identities.resolveSender({ channel: WA, sender: { id: LID, phone: PHONE } });
      const check = (body: object) => http.post('/api/v2/access/check', body);

      const none = await check({ instanceId: 'inst-1', platformUserId: LID, channel: WA });
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ allowed: true, reason: 'no rule matched' });

      const rule = (await http.post('/api/v2/access/rules', { type: 'deny', criteria: { phone: '+5511*' }, instanceId: 'inst-1' })).body;
      const denied = await check({ instanceId: 'inst-1', platformUserId: LID, channel: WA });
      expect(denied.status).toBe(200);
      expect(() => checkAccessResultSchema.parse(denied.body)).not.toThrow();
      expect(denied.body).toEqual({ allowed: false, reason: `deny rule ${rule.id} (+5511*)`, rule });

      // Another instance: the instance rule does not apply. An unknown user: only its own id counts.
      expect((await check({ instanceId: 'inst-2', platformUserId: LID, channel: WA })).body).toEqual({ allowed: true, reason: 'no rule matched' });
      expect((await check({ instanceId: 'inst-1', platformUserId: '1@lid', channel: WA })).body).toEqual({ allowed: true, reason: 'no rule matched' });
      expect((await check({ instanceId: 'inst-1', platformUserId: '5511988887777@s.whatsapp.net', channel: WA })).body).toMatchObject({ allowed: false });

      for (const body of [{}, { instanceId: 'inst-1', channel: WA }, { instanceId: 'inst-1', platformUserId: '', channel: WA }, { instanceId: 1, platformUserId: LID, channel: WA }]) {
        await expectValidationError(check(body), JSON.stringify(body));
      }
    });
  });
});
