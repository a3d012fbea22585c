import { randomUUID } from 'node:crypto';
import { raw, UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { OmniError } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import type { JsonObject } from '../db/entities/instance.js';
import { PersonSchema, type Person } from '../db/entities/person.js';
import { PlatformIdentitySchema, type PlatformIdentity } from '../db/entities/platform-identity.js';
import { preparedSqlOf, type PreparedSql } from '../db/prepared-sql.js';
import { FIND_IDENTITY, IDENTITIES_OF_PERSON, identityFromRow, TOUCH_IDENTITY } from './identity-sql.js';
import { normalizePhone, senderPhone } from './phone.js';

/** What a channel tells about a sender (the SDK's `Sender`, or a part of it). */
export interface SenderInput {
  /** The platform's user id (a WhatsApp JID or LID, a Discord user id, …). */
  id: string;
  name?: string | undefined;
  /** E.164 (or anything `normalizePhone` accepts) when the platform knows it. */
  phone?: string | undefined;
  username?: string | undefined;
  avatarUrl?: string | undefined;
}

export interface ResolveSenderInput {
  channel: string;
  /** The instance that received the message; kept as the identity's first instance. */
  instanceId?: string | null;
  sender: SenderInput;
}

export interface ResolvedSender {
  personId: string;
  identityId: string;
  /** Every identity of the person, the sender's included: what access rules match on. */
  identities: PlatformIdentity[];
  /** True when this call created the identity. */
  isNew: boolean;
}

export interface ChannelPresence {
  identityIds: string[];
  platformUserIds: string[];
  messageCount: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface PersonPresence {
  person: Person;
  identities: PlatformIdentity[];
  summary: {
    totalIdentities: number;
    /** Channels with at least one identity, sorted. */
    activeChannels: string[];
    /** The sum of the identities' message counts. */
    totalMessages: number;
    /** Null only for a person without identities. */
    lastSeenAt: Date | null;
    firstSeenAt: Date | null;
  };
  byChannel: Record<string, ChannelPresence>;
}

export interface UnlinkResult {
  /** The person the identity now belongs to. */
  person: Person;
  identity: PlatformIdentity;
}

export interface MergeResult {
  /** The target person, kept. */
  person: Person;
  /** The identities moved from the source person. */
  mergedIdentityIds: string[];
  deletedPersonId: string;
}

/** Told after a change is committed; the kernel may publish these as `identity.*` events. */
export type IdentityChange =
  | { type: 'identity.created'; personId: string; identityId: string; channel: string; personCreated: boolean }
  | { type: 'identity.linked'; personId: string; identityIds: [string, string]; deletedPersonId: string; mergedIdentityIds: string[] }
  | { type: 'identity.unlinked'; identityId: string; fromPersonId: string; personId: string; reason: string }
  | { type: 'identity.merged'; personId: string; deletedPersonId: string; mergedIdentityIds: string[]; reason: string | null };

export interface IdentityServiceOptions {
  /** Called after each committed change. It must not throw: what it throws is ignored. */
  onChange?: (change: IdentityChange) => void;
}

/** Column limits of the schema (PostgreSQL enforces them; SQLite does not). */
const MAX_TEXT = 255;
const MAX_ID = 36;
const MAX_SEARCH_LIMIT = 500;
/** A new identity that loses the insert race is read back; one retry is enough, two are generous. */
const RESOLVE_ATTEMPTS = 3;

const identityOrder = [{ firstSeenAt: 'asc' }, { id: 'asc' }] as const;

/**
 * Persons and their platform identities: who wrote, across channels. Senders are matched to a
 * person by phone (identities with the same E.164 phone belong to the same person); link,
 * unlink and merge let an operator fix what the phone cannot tell.
 */
export class IdentityService {
  /** The statements a known sender's message runs (find, touch, the person's identities). */
  private readonly sql: PreparedSql;

  constructor(
    private readonly db: Database,
    private readonly options: IdentityServiceOptions = {},
  ) {
    this.sql = preparedSqlOf(db);
  }

  /**
   * Records one inbound message's sender: creates its identity (and a person, unless one with the
   * same phone exists) or updates it (name, phone, avatar, last seen, message count + 1). Safe
   * under concurrency: simultaneous first messages of one sender end with one identity and one
   * person. Always uses its own EntityManager and transactions.
   */
  async resolveSender(input: ResolveSenderInput): Promise<ResolvedSender> {
    const { channel, sender } = input;
    requireText('channel', channel);
    requireText('sender.id', sender.id);
    const instanceId = input.instanceId ?? null;
    if (instanceId !== null && (instanceId === '' || instanceId.length > MAX_ID)) {
      throw new OmniError('VALIDATION_ERROR', `instanceId must be 1 to ${MAX_ID} characters`);
    }
    const seen: Seen = {
      phone: senderPhone(channel, sender) ?? null,
      displayName: clip(sender.name?.trim() || sender.username?.trim() || undefined),
      avatarUrl: sender.avatarUrl && sender.avatarUrl.length <= MAX_TEXT ? sender.avatarUrl : undefined,
    };

    for (let attempt = 1; ; attempt++) {
      const [row] = await this.sql.all(FIND_IDENTITY, [channel, sender.id]);
      if (row) return this.touch(identityFromRow(row), seen);
      try {
        return await this.createIdentity(channel, sender.id, instanceId, seen);
      } catch (err) {
        // Another call created this identity first: read it back and count this message on it.
        if (!(err instanceof UniqueConstraintViolationException) || attempt >= RESOLVE_ATTEMPTS) throw err;
      }
    }
  }

  findIdentity(channel: string, platformUserId: string, em: EntityManager = this.db.fork()): Promise<PlatformIdentity | null> {
    return em.findOne(PlatformIdentitySchema, { channel, platformUserId });
  }

  getIdentity(id: string, em: EntityManager = this.db.fork()): Promise<PlatformIdentity | null> {
    return em.findOne(PlatformIdentitySchema, { id });
  }

  getPerson(id: string, em: EntityManager = this.db.fork()): Promise<Person | null> {
    return em.findOne(PersonSchema, { id });
  }

  /** A person's identities, oldest first. Empty for an unknown person. */
  identitiesOf(personId: string, em: EntityManager = this.db.fork()): Promise<PlatformIdentity[]> {
    return em.find(PlatformIdentitySchema, { personId }, { orderBy: [...identityOrder] });
  }

  /**
   * The person an identity with this phone belongs to (the oldest such identity's), else the
   * oldest person with it as primary phone. Undefined when the phone is not a phone or unknown.
   */
  async findPersonIdByPhone(phone: string, em: EntityManager = this.db.fork(), excludePersonId?: string): Promise<string | undefined> {
    const e164 = normalizePhone(phone);
    if (!e164) return undefined;
    const notExcluded = excludePersonId === undefined ? {} : { personId: { $ne: excludePersonId } };
    const identity = await em.findOne(PlatformIdentitySchema, { phone: e164, ...notExcluded }, { orderBy: [...identityOrder] });
    if (identity) return identity.personId;
    const person = await em.findOne(
      PersonSchema,
      { primaryPhone: e164, ...(excludePersonId === undefined ? {} : { id: { $ne: excludePersonId } }) },
      { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
    );
    return person?.id;
  }

  /**
   * Persons whose name, phone or email, or one of whose identities' name, user id or phone,
   * contains `search` (case-insensitively for ASCII). No search: every person. Oldest first.
   */
  async searchPersons(search: string | undefined, limit: number, em: EntityManager = this.db.fork()): Promise<Person[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw new OmniError('VALIDATION_ERROR', `limit must be an integer from 1 to ${MAX_SEARCH_LIMIT}, got ${limit}`);
    }
    const term = search?.trim() ?? '';
    const orderBy = [{ createdAt: 'asc' }, { id: 'asc' }] as const;
    if (term === '') return em.find(PersonSchema, {}, { orderBy: [...orderBy], limit });

    const terms = [term];
    // `+55 11 9999` also finds `+55119999…`.
    const digits = term.replace(/[\s\-.()/]/g, '');
    if (digits !== term && /^\+?\d+$/.test(digits)) terms.push(digits);
    const matching = (columns: string[]) => ({ $or: columns.flatMap((column) => terms.map((t) => contains(column, t))) });

    const identities = await em.find(PlatformIdentitySchema, matching(['display_name', 'platform_user_id', 'phone']) as FilterQuery<PlatformIdentity>, {
      fields: ['personId'],
    });
    const viaIdentity = [...new Set(identities.map((i) => i.personId))];
    const where = { $or: [matching(['display_name', 'primary_phone', 'primary_email']), ...(viaIdentity.length ? [{ id: { $in: viaIdentity } }] : [])] };
    return em.find(PersonSchema, where as FilterQuery<Person>, { orderBy: [...orderBy], limit });
  }

  /** Throws OmniError NOT_FOUND for an unknown person. */
  async presence(personId: string, em: EntityManager = this.db.fork()): Promise<PersonPresence> {
    const person = await em.findOne(PersonSchema, { id: personId });
    if (!person) throw new OmniError('NOT_FOUND', `person ${personId} not found`);
    const identities = await this.identitiesOf(personId, em);

    const byChannel: Record<string, ChannelPresence> = {};
    for (const identity of identities) {
      const entry = (byChannel[identity.channel] ??= {
        identityIds: [],
        platformUserIds: [],
        messageCount: 0,
        firstSeenAt: identity.firstSeenAt,
        lastSeenAt: identity.lastSeenAt,
      });
      entry.identityIds.push(identity.id);
      entry.platformUserIds.push(identity.platformUserId);
      entry.messageCount += identity.messageCount;
      if (identity.firstSeenAt < entry.firstSeenAt) entry.firstSeenAt = identity.firstSeenAt;
      if (identity.lastSeenAt > entry.lastSeenAt) entry.lastSeenAt = identity.lastSeenAt;
    }
    const channels = Object.values(byChannel);
    const earliest = (dates: Date[]) => dates.reduce<Date | null>((min, d) => (min === null || d < min ? d : min), null);
    const latest = (dates: Date[]) => dates.reduce<Date | null>((max, d) => (max === null || d > max ? d : max), null);
    return {
      person,
      identities,
      summary: {
        totalIdentities: identities.length,
        activeChannels: Object.keys(byChannel).sort(),
        totalMessages: channels.reduce((sum, c) => sum + c.messageCount, 0),
        lastSeenAt: latest(channels.map((c) => c.lastSeenAt)),
        firstSeenAt: earliest(channels.map((c) => c.firstSeenAt)),
      },
      byChannel,
    };
  }

  /**
   * Makes two identities one person: every identity of B's person moves to A's person, and B's
   * emptied person is deleted. Returns A's person. Throws NOT_FOUND for an unknown identity.
   */
  async link(identityIdA: string, identityIdB: string): Promise<Person> {
    const result = await this.db.fork().transactional(async (em) => {
      const a = await this.requireIdentity(em, identityIdA);
      const b = await this.requireIdentity(em, identityIdB);
      const target = await this.requirePerson(em, a.personId);
      if (a.personId === b.personId) return { person: target, merged: undefined };
      const source = await this.requirePerson(em, b.personId);
      const mergedIdentityIds = await mergePersons(em, source, target);
      return { person: target, merged: { deletedPersonId: source.id, mergedIdentityIds } };
    });
    if (result.merged) {
      this.notify({ type: 'identity.linked', personId: result.person.id, identityIds: [identityIdA, identityIdB], ...result.merged });
    }
    return result.person;
  }

  /**
   * Moves an identity to a person of its own (named after it, with its phone). An identity that
   * is already its person's only one stays where it is. Throws NOT_FOUND for an unknown identity.
   */
  async unlink(identityId: string, reason: string): Promise<UnlinkResult> {
    const result = await this.db.fork().transactional(async (em) => {
      const identity = await this.requireIdentity(em, identityId);
      const from = await this.requirePerson(em, identity.personId);
      const others = await em.find(PlatformIdentitySchema, { personId: from.id, id: { $ne: identity.id } }, { orderBy: [...identityOrder] });
      if (others.length === 0) return { person: from, identity, fromPersonId: undefined };

      const person = em.create(PersonSchema, { id: randomUUID(), displayName: identity.displayName, primaryPhone: identity.phone, primaryEmail: null, metadata: null });
      identity.personId = person.id;
      // The person keeps a primary phone only while one of its identities still has it.
      if (from.primaryPhone !== null && from.primaryPhone === identity.phone && !others.some((o) => o.phone === from.primaryPhone)) {
        from.primaryPhone = others.find((o) => o.phone !== null)?.phone ?? null;
      }
      await em.flush();
      return { person, identity, fromPersonId: from.id };
    });
    if (result.fromPersonId !== undefined) {
      this.notify({ type: 'identity.unlinked', identityId, fromPersonId: result.fromPersonId, personId: result.person.id, reason });
    }
    return { person: result.person, identity: result.identity };
  }

  /**
   * Moves every identity of the source person to the target and deletes the source. The target
   * keeps its fields; the ones it lacks (name, phone, email) come from the source, and metadata is
   * merged with the target's keys winning. Throws NOT_FOUND for an unknown person and
   * VALIDATION_ERROR when both are the same.
   */
  async merge(sourcePersonId: string, targetPersonId: string, reason?: string | null): Promise<MergeResult> {
    if (sourcePersonId === targetPersonId) throw new OmniError('VALIDATION_ERROR', 'cannot merge a person into itself');
    const result = await this.db.fork().transactional(async (em) => {
      const source = await this.requirePerson(em, sourcePersonId);
      const target = await this.requirePerson(em, targetPersonId);
      const mergedIdentityIds = await mergePersons(em, source, target);
      return { person: target, mergedIdentityIds, deletedPersonId: source.id };
    });
    this.notify({ type: 'identity.merged', personId: result.person.id, deletedPersonId: result.deletedPersonId, mergedIdentityIds: result.mergedIdentityIds, reason: reason ?? null });
    return result;
  }

  /** A known identity saw another message. */
  private async touch(existing: PlatformIdentity, seen: Seen): Promise<ResolvedSender> {
    // Unset fields (null) keep the stored value; set ones replace it.
    await this.sql.run(TOUCH_IDENTITY, [new Date(), seen.displayName ?? null, seen.avatarUrl ?? null, seen.phone, existing.id]);
    let personId = existing.personId;
    if (seen.phone !== null && existing.phone === null) personId = await this.phoneLearned(existing.id, seen.phone);
    const identities = (await this.sql.all(IDENTITIES_OF_PERSON, [personId])).map(identityFromRow);
    return { personId, identityId: existing.id, identities, isNew: false };
  }

  /**
   * An identity told its phone for the first time (a WhatsApp LID sender whose number became
   * known). Identities with one phone belong to one person: if another person has it, the
   * identity's person is merged into that one. Returns the identity's person.
   */
  private async phoneLearned(identityId: string, phone: string): Promise<string> {
    const result = await this.db.fork().transactional(async (em) => {
      await this.lockPhone(em, phone);
      const identity = await this.requireIdentity(em, identityId);
      const ownerId = await this.findPersonIdByPhone(phone, em, identity.personId);
      const current = await em.findOne(PersonSchema, { id: identity.personId });
      if (!current) return { personId: identity.personId, merged: undefined };
      const owner = ownerId === undefined ? null : await em.findOne(PersonSchema, { id: ownerId });
      if (!owner) {
        current.primaryPhone ??= phone;
        await em.flush();
        return { personId: current.id, merged: undefined };
      }
      const mergedIdentityIds = await mergePersons(em, current, owner);
      return { personId: owner.id, merged: { deletedPersonId: current.id, mergedIdentityIds } };
    });
    if (result.merged) {
      this.notify({ type: 'identity.merged', personId: result.personId, ...result.merged, reason: `same phone ${phone}` });
    }
    return result.personId;
  }

  /** Creates the identity, under an existing person with its phone or a new person. */
  private async createIdentity(channel: string, platformUserId: string, instanceId: string | null, seen: Seen): Promise<ResolvedSender> {
    const result = await this.db.fork().transactional(async (em) => {
      // Serializes creators of one phone (PostgreSQL), so two channels' first messages make one person.
      if (seen.phone !== null) await this.lockPhone(em, seen.phone);
      let personId = seen.phone === null ? undefined : await this.findPersonIdByPhone(seen.phone, em);
      const personCreated = personId === undefined;
      if (personId === undefined) {
        personId = em.create(PersonSchema, { id: randomUUID(), displayName: seen.displayName ?? null, primaryPhone: seen.phone, primaryEmail: null, metadata: null }).id;
      }
      const now = new Date();
      const identity = em.create(PlatformIdentitySchema, {
        id: randomUUID(),
        personId,
        channel,
        platformUserId,
        phone: seen.phone,
        displayName: seen.displayName ?? null,
        avatarUrl: seen.avatarUrl ?? null,
        instanceId,
        firstSeenAt: now,
        lastSeenAt: now,
        messageCount: 1,
      });
      await em.flush();
      return { personId, identityId: identity.id, personCreated, identities: await this.identitiesOf(personId, em) };
    });
    this.notify({ type: 'identity.created', personId: result.personId, identityId: result.identityId, channel, personCreated: result.personCreated });
    return { personId: result.personId, identityId: result.identityId, identities: result.identities, isNew: true };
  }

  private async requireIdentity(em: EntityManager, id: string): Promise<PlatformIdentity> {
    const identity = await em.findOne(PlatformIdentitySchema, { id });
    if (!identity) throw new OmniError('NOT_FOUND', `identity ${id} not found`);
    return identity;
  }

  private async requirePerson(em: EntityManager, id: string): Promise<Person> {
    const person = await em.findOne(PersonSchema, { id });
    if (!person) throw new OmniError('NOT_FOUND', `person ${id} not found`);
    return person;
  }

  /** PostgreSQL: a transaction-scoped lock per phone. SQLite runs one transaction at a time anyway. */
  private async lockPhone(em: EntityManager, phone: string): Promise<void> {
    if (this.db.dialect === 'postgresql') await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`omni:person-phone:${phone}`]);
  }

  private notify(change: IdentityChange): void {
    try {
      this.options.onChange?.(change);
    } catch {
      // Documented: a listener's failure must not undo or fail a committed change.
    }
  }
}

interface Seen {
  phone: string | null;
  displayName: string | undefined;
  avatarUrl: string | undefined;
}

/**
 * Moves the source's identities to the target, fills the target's missing fields from the source,
 * deletes the source, and flushes. Returns the moved identity ids. Call inside a transaction.
 */
async function mergePersons(em: EntityManager, source: Person, target: Person): Promise<string[]> {
  const moved = await em.find(PlatformIdentitySchema, { personId: source.id }, { orderBy: [...identityOrder] });
  for (const identity of moved) identity.personId = target.id;
  target.displayName ??= source.displayName;
  target.primaryPhone ??= source.primaryPhone;
  target.primaryEmail ??= source.primaryEmail;
  if (source.metadata) target.metadata = { ...source.metadata, ...target.metadata } satisfies JsonObject;
  em.remove(source);
  await em.flush();
  // Identities created for the source since it was read (a concurrent first message) follow too.
  await em.nativeUpdate(PlatformIdentitySchema, { personId: source.id }, { personId: target.id });
  return moved.map((i) => i.id);
}

function requireText(name: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) {
    throw new OmniError('VALIDATION_ERROR', `${name} must be 1 to ${MAX_TEXT} characters`);
  }
}

/** Cuts to the column's length, in code points as both databases count. */
function clip(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const chars = [...value];
  return chars.length <= MAX_TEXT ? value : chars.slice(0, MAX_TEXT).join('');
}

/** `column` contains `term`, ignoring ASCII case; LIKE wildcards in the term are literal. */
function contains(column: string, term: string) {
  const pattern = `%${term.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
  return { [raw(`lower(??) like ? escape '!'`, [column, pattern])]: [] };
}
