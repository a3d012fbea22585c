import type { z } from 'zod';
import type { ChannelCapabilities } from './capabilities.js';
import type { InboundMessageInput, Media, OutboundMessage, SendResult } from './messages.js';
import type { Logger } from './logger.js';

export const CONNECTION_STATES = [
  'disconnected',
  'connecting',
  'awaiting_qr',
  'connected',
  'reconnecting',
  'error',
  'logged_out',
  'replaced',
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** The status of one instance's connection, reported by its channel plugin. */
export interface ConnectionStatus {
  state: ConnectionState;
  since: string;
  /** Present while the channel waits for a QR scan. */
  qr?: { code: string; expiresAt: string };
  /** Present while a pairing code waits to be entered on the phone. */
  pairingCode?: { code: string; expiresAt: string };
  error?: { code: string; message: string; retryable: boolean };
  /** Reconnect attempt counter and the time of the next attempt, while reconnecting. */
  reconnect?: { attempt: number; nextAttemptAt: string };
  /** Platform account details once connected (bot user, phone number). */
  account?: { id: string; name?: string };
}

/** Raw HTTP request handed to a channel's webhook handler. `rawBody` is exact, for signature checks. */
export interface WebhookRequest {
  method: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  /** The body parsed as JSON when it is JSON, else undefined. */
  body: unknown;
}

export interface WebhookResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface IngressResult {
  /** The id of the stored inbound event. */
  eventId: string;
  /** True when the same platform message id was already received for this instance. */
  duplicate: boolean;
}

/** What a channel plugin gets for each instance it connects. */
export interface ChannelInstance<TConfig = unknown> {
  readonly id: string;
  readonly name: string;
  readonly config: TConfig;
  readonly logger: Logger;
  /** Stores an inbound message; resolves once it is durable. Acknowledge the platform only after that. */
  receive(message: InboundMessageInput): Promise<IngressResult>;
  /** Reports a connection change; the kernel keeps it, publishes `instance.status` and serves it from the API. */
  setStatus(status: Omit<ConnectionStatus, 'since'> & { since?: string }): void;
  /** Reports a platform event about an earlier outbound message (delivered, read, failed). */
  reportDelivery(update: { externalId: string; status: 'delivered' | 'read' | 'failed'; error?: string }): Promise<void>;
  /**
   * Stores downloaded media bytes (inbound attachments, voice notes) in the kernel's media store and
   * returns the media to put in the message: `storageKey`, `size`, `mimeType` and `filename`. The API
   * serves the bytes at `/api/v2/media/<storageKey>`. Download the platform's file first, then call this,
   * so media never goes missing when the platform's URL expires.
   */
  storeMedia(input: StoreMediaInput): Promise<StoredMedia>;
  /** Signals the instance's connection loop to stop; set when the kernel disconnects the instance. */
  readonly signal: AbortSignal;
}

export interface StoreMediaInput {
  data: Uint8Array;
  mimeType?: string;
  filename?: string;
}

export type StoredMedia = Media & { storageKey: string; size: number; mimeType: string };

/** A platform user's public profile (seed 000 `GET /instances/:id/profile/:platformUserId`). */
export interface PlatformProfile {
  platformUserId: string;
  name?: string;
  username?: string;
  about?: string;
  avatarUrl?: string;
  isBot?: boolean;
}

/** Options of `POST /instances/:id/sync` (seed 000); channels read their own section. */
export interface SyncRequest {
  syncContacts: boolean;
  syncChats: boolean;
  syncMessages: boolean;
  since?: string;
  until?: string;
  discord?: { guildIds?: string[]; channelIds?: string[]; includeThreads?: boolean; includeForums?: boolean; maxMessagesPerChannel?: number };
  whatsapp?: { chatIds?: string[]; includeGroups?: boolean; includeBroadcasts?: boolean; maxMessagesPerChat?: number };
  processMedia?: boolean;
  batchSize?: number;
}

export interface SyncProgress {
  stage: 'contacts' | 'chats' | 'messages';
  current: number;
  total: number;
}

export interface SyncReport {
  contactsCount: number;
  chatsCount: number;
  messagesCount: number;
}

/** A stored platform session found by `POST /instances/discover` (WhatsApp Baileys). */
export interface DiscoveredSession {
  sessionId: string;
  phone: string;
  name?: string;
  connected: boolean;
  lastSeen?: string;
}

export interface MessageRef {
  chatId: string;
  messageId: string;
}

export interface ProfileUpdate {
  name?: string;
  status?: string;
  picture?: string;
  username?: string;
  avatar?: string;
  activity?: { type: 'playing' | 'watching' | 'listening' | 'competing'; text: string };
}

/**
 * A channel plugin's adapter. One adapter serves every instance of its channel.
 * Optional methods back optional features: declaring `edit` requires `edit()`, and so on
 * (see FEATURE_METHODS); the kernel checks this at load time.
 */
export interface ChannelAdapter<TConfig = unknown> {
  /** Starts the instance's connection. Resolves when connecting has begun; progress goes through `setStatus`. */
  connect(instance: ChannelInstance<TConfig>): Promise<void>;
  /** Stops the connection and keeps credentials. A deliberately disconnected instance stays disconnected. */
  disconnect(instanceId: string): Promise<void>;
  /** Ends the session on the platform and forgets its credentials; the next connect needs new auth. */
  logout?(instanceId: string): Promise<void>;
  /** Sends one message of any content type the channel declares in `content.send`. */
  send(instanceId: string, message: OutboundMessage): Promise<SendResult>;
  edit?(instanceId: string, ref: MessageRef, text: string): Promise<SendResult>;
  delete?(instanceId: string, ref: MessageRef): Promise<SendResult>;
  typing?(instanceId: string, chatId: string, state: 'composing' | 'paused'): Promise<void>;
  markRead?(instanceId: string, refs: MessageRef[]): Promise<void>;
  updateProfile?(instanceId: string, profile: ProfileUpdate): Promise<void>;
  validateRecipient?(instanceId: string, recipient: string): Promise<{ valid: boolean; exists: boolean; normalized: string; profile?: { name?: string; avatar?: string } }>;
  /** A platform user's profile, for `GET /instances/:id/profile/:platformUserId`. */
  fetchProfile?(instanceId: string, platformUserId: string): Promise<PlatformProfile>;
  /**
   * Imports history for `POST /instances/:id/sync`. Messages go through `instance.receive` with
   * `ingestMode: 'history'` (stored, never routed to an agent). Report progress as it goes.
   */
  sync?(instanceId: string, request: SyncRequest, progress: (p: SyncProgress) => void): Promise<SyncReport>;
  /** Sessions stored for this channel, for `POST /instances/discover`. */
  discoverSessions?(): Promise<DiscoveredSession[]>;
  /** Receives platform webhooks at `/api/v2/webhooks/:channel/:instanceId`. */
  handleWebhook?(instanceId: string, request: WebhookRequest): Promise<WebhookResponse>;
}

/** Static description of the channel a channel plugin provides. */
export interface ChannelDescriptor<TInstanceConfig extends z.ZodType = z.ZodType> {
  /** The channel id used in API paths and instance records, e.g. `webhook`, `discord`. */
  id: string;
  name: string;
  description: string;
  /** Validates each instance's `channelConfig`. Fields named in `secretFields` are encrypted and masked. */
  instanceConfig: TInstanceConfig;
  secretFields?: readonly string[];
  capabilities: ChannelCapabilities;
}
