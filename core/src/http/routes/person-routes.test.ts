import { TestHttpClient } from '@omni/plugin-sdk/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/create-database.js';
import { PersonSchema } from '../../db/entities/person.js';
import { PlatformIdentitySchema } from '../../db/entities/platform-identity.js';
import type { Dialect } from '../../db/storage.js';
import { IdentityService } from '../../identity/identity-service.js';
import { requireServiceUrl } from '../../testing/require-service.js';
import { createTestDatabase } from '../../testing/test-database.js';
import { startRouteTestServer, type RouteTestServer } from '../../testing/route-test-server.js';
import { mergeResultSchema, personPresenceSchema, personRoutes, personSchema, unlinkResultSchema } from './person-routes.js';

const postgres = requireServiceUrl('DATABASE_URL');

const PHONE = '+5511999990000';
const JID = '5511999990000@s.whatsapp.net';
const LID = '123456789012345@lid';
const UNKNOWN = '00000000-0000-0000-0000-000000000000';

describe.each<Dialect>(['sqlite', 'postgresql'])('person routes (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('over HTTP', () => {
    let db: Database;
    let identities: IdentityService;
    let server: RouteTestServer;
    let http: TestHttpClient;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      identities = new IdentityService(db);
      server = await startRouteTestServer(personRoutes({ identities }));
      http = new TestHttpClient(server.url);
    });
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });
    beforeEach(async () => {
      const em = db.fork();
      await em.nativeDelete(PlatformIdentitySchema, {});
      await em.nativeDelete(PersonSchema, {});
    });
    afterEach(() => {
      expect(server.errors).toEqual([]);
    });

    const seed = async () => {
      const ana = await identities.resolveSender({ channel: 'whatsapp-baileys', instanceId: 'wa', sender: { id: JID, name: 'Ana' } });
      const lid = await identities.resolveSender({ channel: 'whatsapp-baileys', instanceId: 'wa', sender: { id: LID, phone: PHONE } });
      const bo = await identities.resolveSender({ channel: 'discord', instanceId: 'dc', sender: { id: '42', name: 'Bo' } });
      return { ana, lid, bo };
    };

    it('GET /api/v2/persons searches, limits, and validates the query', async () => {
      const { ana, bo } = await seed();
      const all = await http.get('/api/v2/persons');
      expect(all.status).toBe(200);
      expect(all.body.items.map((p: { id: string }) => p.id)).toEqual([ana.personId, bo.personId]);
      expect(() => personSchema.parse(all.body.items[0])).not.toThrow();
      expect(all.body.items[0]).toMatchObject({ displayName: 'Ana', primaryPhone: PHONE, primaryEmail: null, metadata: null });

      expect((await http.get('/api/v2/persons?search=bo')).body.items.map((p: { id: string }) => p.id)).toEqual([bo.personId]);
      expect((await http.get(`/api/v2/persons?search=${encodeURIComponent('@lid')}`)).body.items.map((p: { id: string }) => p.id)).toEqual([ana.personId]);
      expect((await http.get('/api/v2/persons?limit=1')).body.items).toHaveLength(1);

      for (const bad of ['limit=0', 'limit=abc', 'limit=501', 'limit=1.5', 'search=a&search=b']) {
        const res = await http.get(`/api/v2/persons?${bad}`);
        expect(res.status, bad).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_ERROR');
      }
    });

    it('GET /api/v2/persons/:id and /presence, 404 for unknown ids', async () => {
      const { ana, lid } = await seed();
      const person = await http.get(`/api/v2/persons/${ana.personId}`);
      expect(person.status).toBe(200);
      expect(person.body).toEqual({
        id: ana.personId,
        displayName: 'Ana',
        primaryPhone: PHONE,
        primaryEmail: null,
        metadata: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });

      const presence = await http.get(`/api/v2/persons/${ana.personId}/presence`);
      expect(presence.status).toBe(200);
      expect(() => personPresenceSchema.parse(presence.body)).not.toThrow();
      expect(presence.body.identities.map((i: { id: string }) => i.id)).toEqual([ana.identityId, lid.identityId]);
      expect(presence.body.summary).toMatchObject({ totalIdentities: 2, activeChannels: ['whatsapp-baileys'], totalMessages: 2 });
      expect(presence.body.byChannel['whatsapp-baileys']).toMatchObject({ platformUserIds: [JID, LID], messageCount: 2 });

      for (const path of [`/api/v2/persons/${UNKNOWN}`, `/api/v2/persons/${UNKNOWN}/presence`, '/api/v2/persons/not-an-id']) {
        const res = await http.get(path);
        expect(res.status, path).toBe(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
      expect((await http.get(`/api/v2/persons/${'x'.repeat(201)}`)).status).toBe(400);
    });

    it('POST /api/v2/persons/link merges identityB’s person into identityA’s', async () => {
      const { ana, bo } = await seed();
      const res = await http.post('/api/v2/persons/link', { identityA: bo.identityId, identityB: ana.identityId });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: bo.personId, displayName: 'Bo', primaryPhone: PHONE });
      expect((await http.get(`/api/v2/persons/${ana.personId}`)).status).toBe(404);
      expect((await identities.identitiesOf(bo.personId)).map((i) => i.channel)).toEqual(['whatsapp-baileys', 'whatsapp-baileys', 'discord']);

      expect((await http.post('/api/v2/persons/link', { identityA: bo.identityId, identityB: UNKNOWN })).status).toBe(404);
      for (const body of [{}, { identityA: bo.identityId }, { identityA: '', identityB: 'x' }, { identityA: 1, identityB: 2 }]) {
        const bad = await http.post('/api/v2/persons/link', body);
        expect(bad.status, JSON.stringify(body)).toBe(400);
        expect(bad.body.error.code).toBe('VALIDATION_ERROR');
      }
      const empty = await http.request('POST', '/api/v2/persons/link');
      expect(empty.status).toBe(400);
      expect(empty.body.error.code).toBe('VALIDATION_ERROR');
    });

    it('POST /api/v2/persons/unlink moves the identity to a new person', async () => {
      const { ana, lid } = await seed();
      const res = await http.post('/api/v2/persons/unlink', { identityId: lid.identityId, reason: 'not the same person' });
      expect(res.status).toBe(200);
      expect(() => unlinkResultSchema.parse(res.body)).not.toThrow();
      expect(res.body.person.id).not.toBe(ana.personId);
      expect(res.body.identity).toMatchObject({ id: lid.identityId, personId: res.body.person.id, platformUserId: LID });

      expect((await http.post('/api/v2/persons/unlink', { identityId: UNKNOWN, reason: 'x' })).status).toBe(404);
      const noReason = await http.post('/api/v2/persons/unlink', { identityId: lid.identityId });
      expect(noReason.status).toBe(400);
      expect(noReason.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ in: 'body', path: 'reason' }] });
    });

    it('POST /api/v2/persons/merge answers with the kept person, moved identities and the deleted person', async () => {
      const { ana, lid, bo } = await seed();
      const res = await http.post('/api/v2/persons/merge', { sourcePersonId: ana.personId, targetPersonId: bo.personId, reason: 'same human' });
      expect(res.status).toBe(200);
      expect(() => mergeResultSchema.parse(res.body)).not.toThrow();
      expect(res.body).toEqual({
        person: expect.objectContaining({ id: bo.personId, displayName: 'Bo', primaryPhone: PHONE }),
        mergedIdentityIds: [ana.identityId, lid.identityId],
        deletedPersonId: ana.personId,
      });

      const again = await http.post('/api/v2/persons/merge', { sourcePersonId: ana.personId, targetPersonId: bo.personId });
      expect(again.status).toBe(404);
      const self = await http.post('/api/v2/persons/merge', { sourcePersonId: bo.personId, targetPersonId: bo.personId });
      expect(self.status).toBe(400);
      expect(self.body.error.code).toBe('VALIDATION_ERROR');
      expect((await http.post('/api/v2/persons/merge', { sourcePersonId: bo.personId })).status).toBe(400);
    });
  });
});
