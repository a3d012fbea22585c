import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import type { Person } from '../../db/entities/person.js';
import type { PlatformIdentity } from '../../db/entities/platform-identity.js';
import type { IdentityService, PersonPresence } from '../../identity/identity-service.js';
import { defineRoute, type RouteDefinition } from '../route.js';

const isoDate = z.iso.datetime();
const id = z.string().min(1).max(200);

export const personSchema = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  primaryPhone: z.string().nullable().describe('E.164'),
  primaryEmail: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const platformIdentitySchema = z.object({
  id: z.string(),
  personId: z.string(),
  channel: z.string(),
  platformUserId: z.string(),
  phone: z.string().nullable().describe('E.164'),
  displayName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  instanceId: z.string().nullable().describe('The instance that first saw this identity'),
  firstSeenAt: isoDate,
  lastSeenAt: isoDate,
  messageCount: z.number().int(),
});

export const channelPresenceSchema = z.object({
  identityIds: z.array(z.string()),
  platformUserIds: z.array(z.string()),
  messageCount: z.number().int(),
  firstSeenAt: isoDate,
  lastSeenAt: isoDate,
});

export const personPresenceSchema = z.object({
  person: personSchema,
  identities: z.array(platformIdentitySchema),
  summary: z.object({
    totalIdentities: z.number().int(),
    activeChannels: z.array(z.string()),
    totalMessages: z.number().int(),
    lastSeenAt: isoDate.nullable(),
    firstSeenAt: isoDate.nullable(),
  }),
  byChannel: z.record(z.string(), channelPresenceSchema),
});

export const searchPersonsQuerySchema = z.object({
  search: z.string().max(200).optional().describe('Part of a name, phone, email or platform user id'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const linkIdentitiesBodySchema = z.object({
  identityA: id.describe('Its person is kept'),
  identityB: id.describe("Its person's identities move to identityA's person"),
});

export const unlinkIdentityBodySchema = z.object({
  identityId: id,
  reason: z.string().min(1).max(500),
});

export const mergePersonsBodySchema = z.object({
  sourcePersonId: id.describe('Person to merge from (deleted)'),
  targetPersonId: id.describe('Person to merge into (kept)'),
  reason: z.string().max(500).optional(),
});

export const unlinkResultSchema = z.object({ person: personSchema, identity: platformIdentitySchema });
export const mergeResultSchema = z.object({ person: personSchema, mergedIdentityIds: z.array(z.string()), deletedPersonId: z.string() });

export type PersonDto = z.input<typeof personSchema>;
export type PlatformIdentityDto = z.input<typeof platformIdentitySchema>;

export const toPersonDto = (p: Person): PersonDto => ({
  id: p.id,
  displayName: p.displayName,
  primaryPhone: p.primaryPhone,
  primaryEmail: p.primaryEmail,
  metadata: p.metadata,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export const toPlatformIdentityDto = (i: PlatformIdentity): PlatformIdentityDto => ({
  id: i.id,
  personId: i.personId,
  channel: i.channel,
  platformUserId: i.platformUserId,
  phone: i.phone,
  displayName: i.displayName,
  avatarUrl: i.avatarUrl,
  instanceId: i.instanceId,
  firstSeenAt: i.firstSeenAt.toISOString(),
  lastSeenAt: i.lastSeenAt.toISOString(),
  messageCount: i.messageCount,
});

const toPresenceDto = (p: PersonPresence): z.input<typeof personPresenceSchema> => ({
  person: toPersonDto(p.person),
  identities: p.identities.map(toPlatformIdentityDto),
  summary: { ...p.summary, lastSeenAt: p.summary.lastSeenAt?.toISOString() ?? null, firstSeenAt: p.summary.firstSeenAt?.toISOString() ?? null },
  byChannel: Object.fromEntries(
    Object.entries(p.byChannel).map(([channel, c]) => [channel, { ...c, firstSeenAt: c.firstSeenAt.toISOString(), lastSeenAt: c.lastSeenAt.toISOString() }]),
  ),
});

export interface PersonRouteDeps {
  identities: IdentityService;
}

/** `/api/v2/persons`: who wrote, across channels. */
export const personRoutes = ({ identities }: PersonRouteDeps): RouteDefinition[] => [
  defineRoute({
    method: 'get',
    path: '/api/v2/persons',
    summary: 'Search persons by name, phone, email or platform user id',
    tags: ['persons'],
    query: searchPersonsQuerySchema,
    response: z.object({ items: z.array(personSchema) }),
    handler: async ({ query }) => ({ items: (await identities.searchPersons(query.search, query.limit)).map(toPersonDto) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/persons/:id',
    summary: 'One person',
    tags: ['persons'],
    params: z.object({ id }),
    response: personSchema,
    handler: async ({ params }) => {
      const person = await identities.getPerson(params.id);
      if (!person) throw new OmniError('NOT_FOUND', `person ${params.id} not found`);
      return toPersonDto(person);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/persons/:id/presence',
    summary: "A person's identities and activity, in total and per channel",
    tags: ['persons'],
    params: z.object({ id }),
    response: personPresenceSchema,
    handler: async ({ params }) => toPresenceDto(await identities.presence(params.id)),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v2/persons/link',
    summary: "Make two identities one person: identityB's person is merged into identityA's",
    tags: ['persons'],
    body: linkIdentitiesBodySchema,
    response: personSchema,
    handler: async ({ body }) => toPersonDto(await identities.link(body.identityA, body.identityB)),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v2/persons/unlink',
    summary: 'Move an identity to a person of its own',
    tags: ['persons'],
    body: unlinkIdentityBodySchema,
    response: unlinkResultSchema,
    handler: async ({ body }) => {
      const { person, identity } = await identities.unlink(body.identityId, body.reason);
      return { person: toPersonDto(person), identity: toPlatformIdentityDto(identity) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v2/persons/merge',
    summary: "Move every identity of the source person to the target and delete the source; the target's missing fields come from the source",
    tags: ['persons'],
    body: mergePersonsBodySchema,
    response: mergeResultSchema,
    handler: async ({ body }) => {
      const result = await identities.merge(body.sourcePersonId, body.targetPersonId, body.reason);
      return { ...result, person: toPersonDto(result.person) };
    },
  }),
];
