import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/create-database.js';
import { PersonSchema } from '../db/entities/person.js';
import { PlatformIdentitySchema } from '../db/entities/platform-identity.js';
import type { Dialect } from '../db/storage.js';
import { requireServiceUrl } from '../testing/require-service.js';
import { createTestDatabase } from '../testing/test-database.js';
import { IdentityService, type IdentityChange, type ResolveSenderInput } from './identity-service.js';
import { expectOmniError } from '../testing/expect-omni-error.js';

const postgres = requireServiceUrl('DATABASE_URL');


const PHONE = '+5511999990000';
const JID = '5511999990000@s.whatsapp.net';
const LID = '123456789012345@lid';
const UNKNOWN = '00000000-0000-0000-0000-000000000000';

const whatsapp = (id: string, extra: Partial<ResolveSenderInput['sender']> = {}): ResolveSenderInput => ({
  channel: 'whatsapp-baileys',
  instanceId: 'inst-wa',
  sender: { id, ...extra },
});
const discord = (id: string, extra: Partial<ResolveSenderInput['sender']> = {}): ResolveSenderInput => ({
  channel: 'discord',
  instanceId: 'inst-dc',
  sender: { id, ...extra },
});

describe.each<Dialect>(['sqlite', 'postgresql'])('identity service (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('contract', () => {
    let db: Database;
    let identities: IdentityService;
    let changes: IdentityChange[];

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      const em = db.fork();
      await em.nativeDelete(PlatformIdentitySchema, {});
      await em.nativeDelete(PersonSchema, {});
      changes = [];
      identities = new IdentityService(db, { onChange: (c) => changes.push(c) });
    });

    const countRows = async () => ({
      persons: await db.fork().count(PersonSchema, {}),
      identities: await db.fork().count(PlatformIdentitySchema, {}),
    });

    describe('resolveSender', () => {
      it('creates an identity and a person on the first message, then updates the identity', async () => {
        const first = await identities.resolveSender(whatsapp(JID, { name: 'Ana', avatarUrl: 'https://pic/1' }));
        expect(first.isNew).toBe(true);
        expect(first.identities).toEqual([
          expect.objectContaining({
            id: first.identityId,
            personId: first.personId,
            channel: 'whatsapp-baileys',
            platformUserId: JID,
            phone: PHONE,
            displayName: 'Ana',
            avatarUrl: 'https://pic/1',
            instanceId: 'inst-wa',
            messageCount: 1,
          }),
        ]);
        expect(await identities.getPerson(first.personId)).toMatchObject({ id: first.personId, displayName: 'Ana', primaryPhone: PHONE, primaryEmail: null });
        expect(changes).toEqual([{ type: 'identity.created', personId: first.personId, identityId: first.identityId, channel: 'whatsapp-baileys', personCreated: true }]);

        const firstSeen = first.identities[0]!.lastSeenAt;
        const second = await identities.resolveSender({ ...whatsapp(JID, { name: 'Ana Maria', avatarUrl: 'https://pic/2' }), instanceId: 'inst-other' });
        expect(second).toMatchObject({ personId: first.personId, identityId: first.identityId, isNew: false });
        expect(second.identities).toHaveLength(1);
        const identity = second.identities[0]!;
        expect(identity).toMatchObject({ displayName: 'Ana Maria', avatarUrl: 'https://pic/2', messageCount: 2, phone: PHONE, instanceId: 'inst-wa' });
        expect(identity.lastSeenAt.getTime()).toBeGreaterThanOrEqual(firstSeen.getTime());
        expect(identity.firstSeenAt).toEqual(first.identities[0]!.firstSeenAt);

        // A message without a name or avatar keeps the known ones.
        const third = await identities.resolveSender(whatsapp(JID));
        expect(third.identities[0]).toMatchObject({ displayName: 'Ana Maria', avatarUrl: 'https://pic/2', messageCount: 3 });
        expect(await countRows()).toEqual({ persons: 1, identities: 1 });
        expect(changes).toHaveLength(1);
      });

      it('uses the username when there is no name, clips long names and drops avatar URLs the column cannot hold', async () => {
        const long = 'é'.repeat(300);
        const resolved = await identities.resolveSender(discord('42', { username: 'ana#1', avatarUrl: `https://cdn/${'x'.repeat(300)}` }));
        expect(resolved.identities[0]).toMatchObject({ displayName: 'ana#1', avatarUrl: null, phone: null });
        const renamed = await identities.resolveSender(discord('42', { name: long }));
        expect(renamed.identities[0]!.displayName).toBe('é'.repeat(255));
      });

      it('rejects empty or oversized ids', async () => {
        await expectOmniError(identities.resolveSender(discord('')), 'VALIDATION_ERROR');
        await expectOmniError(identities.resolveSender(discord(' ')), 'VALIDATION_ERROR');
        await expectOmniError(identities.resolveSender(discord('x'.repeat(256))), 'VALIDATION_ERROR');
        await expectOmniError(identities.resolveSender({ ...discord('42'), channel: '' }), 'VALIDATION_ERROR');
        await expectOmniError(identities.resolveSender({ ...discord('42'), instanceId: 'x'.repeat(37) }), 'VALIDATION_ERROR');
        expect(await countRows()).toEqual({ persons: 0, identities: 0 });
      });

      it('attaches identities with the same phone to one person, across channels and LIDs', async () => {
        const jid = await identities.resolveSender(whatsapp(JID, { name: 'Ana' }));
        const lid = await identities.resolveSender(whatsapp(LID, { phone: '+55 11 99999-0000' }));
        const telegram = await identities.resolveSender({ channel: 'telegram', sender: { id: '777', phone: '5511999990000' } });
        expect(lid).toMatchObject({ personId: jid.personId, isNew: true });
        expect(telegram).toMatchObject({ personId: jid.personId, isNew: true });
        expect(telegram.identities.map((i) => i.platformUserId)).toEqual([JID, LID, '777']);
        expect(telegram.identities.map((i) => i.phone)).toEqual([PHONE, PHONE, PHONE]);
        expect(changes.map((c) => c.type === 'identity.created' && c.personCreated)).toEqual([true, false, false]);

        // No phone: a person of its own. A LID is no phone, and neither is an all-digit Discord id.
        const bareLid = await identities.resolveSender(whatsapp('999@lid'));
        const snowflake = await identities.resolveSender(discord('5511999990000'));
        expect(new Set([jid.personId, bareLid.personId, snowflake.personId]).size).toBe(3);
        expect(snowflake.identities[0]!.phone).toBeNull();
        expect(await countRows()).toEqual({ persons: 3, identities: 5 });
      });

      it('attaches to a person known only by its primary phone', async () => {
        const em = db.fork();
        const person = em.create(PersonSchema, { displayName: 'Known', primaryPhone: PHONE, primaryEmail: null, metadata: null });
        await em.flush();
        const resolved = await identities.resolveSender(whatsapp(LID, { phone: PHONE }));
        expect(resolved.personId).toBe(person.id);
      });

      it('merges a LID sender into the person with its phone once the phone becomes known', async () => {
        const jid = await identities.resolveSender(whatsapp(JID, { name: 'Ana' }));
        const lidAlone = await identities.resolveSender(whatsapp(LID));
        expect(lidAlone.personId).not.toBe(jid.personId);
        changes.length = 0;

        const lidKnown = await identities.resolveSender(whatsapp(LID, { phone: PHONE }));
        expect(lidKnown).toMatchObject({ personId: jid.personId, identityId: lidAlone.identityId, isNew: false });
        expect(lidKnown.identities.map((i) => [i.platformUserId, i.phone, i.messageCount])).toEqual([
          [JID, PHONE, 1],
          [LID, PHONE, 2],
        ]);
        expect(await identities.getPerson(lidAlone.personId)).toBeNull();
        expect(changes).toEqual([
          { type: 'identity.merged', personId: jid.personId, deletedPersonId: lidAlone.personId, mergedIdentityIds: [lidAlone.identityId], reason: `same phone ${PHONE}` },
        ]);
      });

      it('gives a person without phone the phone its only identity learns', async () => {
        const lid = await identities.resolveSender(whatsapp(LID));
        expect((await identities.getPerson(lid.personId))?.primaryPhone).toBeNull();
        const known = await identities.resolveSender(whatsapp(LID, { phone: PHONE }));
        expect(known.personId).toBe(lid.personId);
        expect((await identities.getPerson(lid.personId))?.primaryPhone).toBe(PHONE);
      });

      it.each([
        ['without a phone', discord('314159265358979323', { name: 'Bo' })],
        ['with a phone', whatsapp(JID, { name: 'Ana' })],
      ])('ends concurrent first messages of one sender (%s) with one identity and one person', async (_, input) => {
        const results = await Promise.all(Array.from({ length: 8 }, () => identities.resolveSender(input)));
        expect(await countRows()).toEqual({ persons: 1, identities: 1 });
        expect(new Set(results.map((r) => r.identityId)).size).toBe(1);
        expect(new Set(results.map((r) => r.personId)).size).toBe(1);
        expect(results.filter((r) => r.isNew)).toHaveLength(1);
        // No message was lost: every call counted.
        expect((await identities.identitiesOf(results[0]!.personId))[0]!.messageCount).toBe(8);
        expect(changes.filter((c) => c.type === 'identity.created')).toHaveLength(1);
      });

      it('ends concurrent first messages of one phone on several channels with one person', async () => {
        const inputs: ResolveSenderInput[] = [
          whatsapp(JID),
          whatsapp(LID, { phone: PHONE }),
          { channel: 'telegram', sender: { id: '777', phone: PHONE } },
          { channel: 'whatsapp-cloud', sender: { id: '5511999990000' } },
        ];
        const results = await Promise.all(inputs.map((input) => identities.resolveSender(input)));
        expect(await countRows()).toEqual({ persons: 1, identities: 4 });
        expect(new Set(results.map((r) => r.personId)).size).toBe(1);
      });
    });

    describe('search', () => {
      beforeEach(async () => {
        await identities.resolveSender(whatsapp(JID, { name: 'Ana Souza' }));
        await identities.resolveSender(discord('271828', { name: 'Bruno' }));
        await identities.resolveSender(discord('100%_real', { name: 'Carla' }));
      });
      const names = async (search: string | undefined, limit = 50) => (await identities.searchPersons(search, limit)).map((p) => p.displayName);

      it('finds by name, phone, identity user id, ignoring ASCII case', async () => {
        expect(await names(undefined)).toEqual(['Ana Souza', 'Bruno', 'Carla']);
        expect(await names('  ')).toEqual(['Ana Souza', 'Bruno', 'Carla']);
        expect(await names('souza')).toEqual(['Ana Souza']);
        expect(await names('BRU')).toEqual(['Bruno']);
        expect(await names('+5511')).toEqual(['Ana Souza']);
        expect(await names('+55 11 9999')).toEqual(['Ana Souza']);
        expect(await names('2718')).toEqual(['Bruno']);
        expect(await names('a')).toEqual(['Ana Souza', 'Carla']);
        expect(await names('nobody')).toEqual([]);
        expect(await names(undefined, 2)).toEqual(['Ana Souza', 'Bruno']);
      });

      it('treats LIKE wildcards literally and validates the limit', async () => {
        expect(await names('%')).toEqual(['Carla']);
        expect(await names('0%_')).toEqual(['Carla']);
        expect(await names('_')).toEqual(['Carla']);
        await expectOmniError(identities.searchPersons('a', 0), 'VALIDATION_ERROR');
        await expectOmniError(identities.searchPersons('a', 1.5), 'VALIDATION_ERROR');
        await expectOmniError(identities.searchPersons('a', 501), 'VALIDATION_ERROR');
      });
    });

    describe('presence', () => {
      it('summarizes a person across channels', async () => {
        const ana = await identities.resolveSender(whatsapp(JID, { name: 'Ana' }));
        await identities.resolveSender(whatsapp(JID));
        const lid = await identities.resolveSender(whatsapp(LID, { phone: PHONE }));
        const tg = await identities.resolveSender({ channel: 'telegram', sender: { id: '777', phone: PHONE } });
        const em = db.fork();
        const rows = await em.find(PlatformIdentitySchema, {});
        const at = (day: number) => new Date(Date.UTC(2025, 0, day));
        for (const row of rows) {
          const day = row.id === ana.identityId ? 1 : row.id === lid.identityId ? 2 : 3;
          row.firstSeenAt = at(day);
          row.lastSeenAt = at(day + 10);
        }
        await em.flush();

        const presence = await identities.presence(ana.personId);
        expect(presence.person).toMatchObject({ id: ana.personId, displayName: 'Ana' });
        expect(presence.identities.map((i) => i.id)).toEqual([ana.identityId, lid.identityId, tg.identityId]);
        expect(presence.summary).toEqual({
          totalIdentities: 3,
          activeChannels: ['telegram', 'whatsapp-baileys'],
          totalMessages: 4,
          firstSeenAt: at(1),
          lastSeenAt: at(13),
        });
        expect(presence.byChannel).toEqual({
          'whatsapp-baileys': { identityIds: [ana.identityId, lid.identityId], platformUserIds: [JID, LID], messageCount: 3, firstSeenAt: at(1), lastSeenAt: at(12) },
          telegram: { identityIds: [tg.identityId], platformUserIds: ['777'], messageCount: 1, firstSeenAt: at(3), lastSeenAt: at(13) },
        });
      });

      it('handles a person without identities, and unknown persons', async () => {
        const em = db.fork();
        const person = em.create(PersonSchema, { displayName: 'Empty', primaryPhone: null, primaryEmail: null, metadata: null });
        await em.flush();
        expect(await identities.presence(person.id)).toMatchObject({
          identities: [],
          summary: { totalIdentities: 0, activeChannels: [], totalMessages: 0, firstSeenAt: null, lastSeenAt: null },
          byChannel: {},
        });
        await expectOmniError(identities.presence(UNKNOWN), 'NOT_FOUND');
      });
    });

    describe('link, unlink and merge', () => {
      it('links two identities: B’s person moves into A’s and is deleted', async () => {
        const a = await identities.resolveSender(discord('1', { name: 'A' }));
        const b = await identities.resolveSender(whatsapp(JID, { name: 'B' }));
        const b2 = await identities.resolveSender(whatsapp(LID, { phone: PHONE }));
        changes.length = 0;

        const person = await identities.link(a.identityId, b.identityId);
        // A keeps its name and gains B's phone, which it lacked.
        expect(person).toMatchObject({ id: a.personId, displayName: 'A', primaryPhone: PHONE });
        expect((await identities.identitiesOf(a.personId)).map((i) => i.id)).toEqual([a.identityId, b.identityId, b2.identityId]);
        expect(await identities.getPerson(b.personId)).toBeNull();
        expect(changes).toEqual([
          { type: 'identity.linked', personId: a.personId, identityIds: [a.identityId, b.identityId], deletedPersonId: b.personId, mergedIdentityIds: [b.identityId, b2.identityId] },
        ]);

        // Already one person: nothing changes.
        expect((await identities.link(b2.identityId, a.identityId)).id).toBe(a.personId);
        expect(changes).toHaveLength(1);
        expect(await countRows()).toEqual({ persons: 1, identities: 3 });

        await expectOmniError(identities.link(a.identityId, UNKNOWN), 'NOT_FOUND');
        await expectOmniError(identities.link(UNKNOWN, a.identityId), 'NOT_FOUND');
      });

      it('unlinks an identity into a new person, and it stays there', async () => {
        const jid = await identities.resolveSender(whatsapp(JID, { name: 'Ana' }));
        const dc = await identities.resolveSender(discord('1', { name: 'ana_dc' }));
        await identities.link(jid.identityId, dc.identityId);
        changes.length = 0;

        const { person, identity } = await identities.unlink(jid.identityId, 'shared phone');
        expect(person).toMatchObject({ displayName: 'Ana', primaryPhone: PHONE });
        expect(person.id).not.toBe(jid.personId);
        expect(identity).toMatchObject({ id: jid.identityId, personId: person.id });
        // The old person lost its only identity with the phone, so its primary phone too.
        expect(await identities.getPerson(jid.personId)).toMatchObject({ displayName: 'Ana', primaryPhone: null });
        expect((await identities.identitiesOf(jid.personId)).map((i) => i.id)).toEqual([dc.identityId]);
        expect(changes).toEqual([{ type: 'identity.unlinked', identityId: jid.identityId, fromPersonId: jid.personId, personId: person.id, reason: 'shared phone' }]);

        expect((await identities.resolveSender(whatsapp(JID))).personId).toBe(person.id);

        // Alone already: stays.
        const alone = await identities.unlink(jid.identityId, 'again');
        expect(alone.person.id).toBe(person.id);
        expect(changes).toHaveLength(1);
        await expectOmniError(identities.unlink(UNKNOWN, 'x'), 'NOT_FOUND');
      });

      it('keeps the primary phone of a person that still has an identity with it', async () => {
        const jid = await identities.resolveSender(whatsapp(JID, { name: 'Ana' }));
        const lid = await identities.resolveSender(whatsapp(LID, { phone: PHONE }));
        await identities.unlink(jid.identityId, 'test');
        expect((await identities.getPerson(lid.personId))?.primaryPhone).toBe(PHONE);
      });

      it('merges a source person into a target', async () => {
        const em = db.fork();
        const target = em.create(PersonSchema, { displayName: null, primaryPhone: null, primaryEmail: 't@x.io', metadata: { keep: 'target', t: 1 } });
        await em.flush();
        const src = await identities.resolveSender(whatsapp(JID, { name: 'Ana' }));
        const srcLid = await identities.resolveSender(whatsapp(LID, { phone: PHONE }));
        const srcRow = await em.findOneOrFail(PersonSchema, { id: src.personId });
        srcRow.metadata = { keep: 'source', s: 2 };
        srcRow.primaryEmail = 's@x.io';
        await em.flush();
        changes.length = 0;

        const result = await identities.merge(src.personId, target.id, 'duplicate');
        expect(result).toEqual({
          person: expect.objectContaining({ id: target.id, displayName: 'Ana', primaryPhone: PHONE, primaryEmail: 't@x.io', metadata: { keep: 'target', t: 1, s: 2 } }),
          mergedIdentityIds: [src.identityId, srcLid.identityId],
          deletedPersonId: src.personId,
        });
        expect(await identities.getPerson(src.personId)).toBeNull();
        expect(await identities.getPerson(target.id)).toMatchObject({ displayName: 'Ana', metadata: { keep: 'target', t: 1, s: 2 } });
        expect((await identities.identitiesOf(target.id)).map((i) => i.id)).toEqual([src.identityId, srcLid.identityId]);
        expect(changes).toEqual([{ type: 'identity.merged', personId: target.id, deletedPersonId: src.personId, mergedIdentityIds: [src.identityId, srcLid.identityId], reason: 'duplicate' }]);

        // New identities with the phone now join the target.
        expect((await identities.resolveSender({ channel: 'telegram', sender: { id: '777', phone: PHONE } })).personId).toBe(target.id);
      });

      it('refuses to merge a person into itself or unknown persons, changing nothing', async () => {
        const a = await identities.resolveSender(discord('1'));
        await expectOmniError(identities.merge(a.personId, a.personId), 'VALIDATION_ERROR');
        await expectOmniError(identities.merge(a.personId, UNKNOWN), 'NOT_FOUND');
        await expectOmniError(identities.merge(UNKNOWN, a.personId), 'NOT_FOUND');
        expect(await countRows()).toEqual({ persons: 1, identities: 1 });
        expect(changes.map((c) => c.type)).toEqual(['identity.created']);
      });
    });
  });
});
