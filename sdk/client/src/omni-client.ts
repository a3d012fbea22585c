import createClient from 'openapi-fetch';
import { unwrap } from './api-error.js';
import type { QueryParams as Q, RequestBody as B } from './api-types.js';
import type { paths } from './generated/openapi.js';

export interface OmniClientOptions {
  /** e.g. `http://127.0.0.1:8882` */
  baseUrl: string;
  /** Sent as `x-api-key` on every request. */
  apiKey?: string;
  /** A fetch to use instead of the global one (it receives a `Request`). */
  fetch?: (input: Request) => Promise<Response>;
}

const path = <P extends Record<string, string>>(params: P) => ({ params: { path: params } });
const byId = (id: string) => path({ id });

/**
 * A typed client for the Omni v2 API. `raw` is an openapi-fetch client over every documented path
 * (it returns `{ data, error, response }`); the resource methods return the data and throw
 * {@link OmniApiError} on any non-2xx answer.
 */
export function createOmniClient(options: OmniClientOptions) {
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.apiKey ? { 'x-api-key': options.apiKey } : {},
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { GET, POST, PUT, PATCH, DELETE } = raw;

  return {
    raw,
    health: () => unwrap(GET('/api/v2/health')),
    info: () => unwrap(GET('/api/v2/info')),
    channels: {
      list: () => unwrap(GET('/api/v2/channels')),
      get: (channelId: string) => unwrap(GET('/api/v2/channels/{id}', byId(channelId))),
      supported: () => unwrap(GET('/api/v2/instances/supported-channels')),
    },
    plugins: {
      list: () => unwrap(GET('/api/v2/plugins')),
      get: (pluginId: string) => unwrap(GET('/api/v2/plugins/{id}', byId(pluginId))),
      enable: (pluginId: string) => unwrap(POST('/api/v2/plugins/{id}/enable', byId(pluginId))),
      disable: (pluginId: string) => unwrap(POST('/api/v2/plugins/{id}/disable', byId(pluginId))),
    },
    instances: {
      list: (query?: Q<'/api/v2/instances', 'get'>) => unwrap(GET('/api/v2/instances', { params: { query } })),
      get: (id: string) => unwrap(GET('/api/v2/instances/{id}', byId(id))),
      create: (body: B<'/api/v2/instances', 'post'>) => unwrap(POST('/api/v2/instances', { body })),
      update: (id: string, body: B<'/api/v2/instances/{id}', 'patch'>) => unwrap(PATCH('/api/v2/instances/{id}', { ...byId(id), body })),
      delete: (id: string) => unwrap(DELETE('/api/v2/instances/{id}', byId(id))),
      status: (id: string) => unwrap(GET('/api/v2/instances/{id}/status', byId(id))),
      qr: (id: string) => unwrap(GET('/api/v2/instances/{id}/qr', byId(id))),
      connect: (id: string) => unwrap(POST('/api/v2/instances/{id}/connect', byId(id))),
      disconnect: (id: string) => unwrap(POST('/api/v2/instances/{id}/disconnect', byId(id))),
      restart: (id: string) => unwrap(POST('/api/v2/instances/{id}/restart', byId(id))),
      logout: (id: string) => unwrap(POST('/api/v2/instances/{id}/logout', byId(id))),
      discover: (body: B<'/api/v2/instances/discover', 'post'>) => unwrap(POST('/api/v2/instances/discover', { body })),
      updateProfile: (id: string, body: B<'/api/v2/instances/{id}/profile', 'put'>) => unwrap(PUT('/api/v2/instances/{id}/profile', { ...byId(id), body })),
      validateRecipient: (id: string, body: B<'/api/v2/instances/{id}/validate-recipient', 'post'>) =>
        unwrap(POST('/api/v2/instances/{id}/validate-recipient', { ...byId(id), body })),
      profile: (id: string, platformUserId: string) => unwrap(GET('/api/v2/instances/{id}/profile/{platformUserId}', path({ id, platformUserId }))),
      sync: (id: string, body: B<'/api/v2/instances/{id}/sync', 'post'>) => unwrap(POST('/api/v2/instances/{id}/sync', { ...byId(id), body })),
      syncStatus: (id: string) => unwrap(GET('/api/v2/instances/{id}/sync/status', byId(id))),
      markChatRead: (id: string, chatId: string) => unwrap(PATCH('/api/v2/instances/{id}/chats/{chatId}/mark-read', path({ id, chatId }))),
      markMessageRead: (id: string, messageId: string) => unwrap(PATCH('/api/v2/instances/{id}/messages/{messageId}/mark-read', path({ id, messageId }))),
    },
    messages: {
      sendText: (body: B<'/api/v2/messages', 'post'>) => unwrap(POST('/api/v2/messages', { body })),
      sendMedia: (body: B<'/api/v2/messages/media', 'post'>) => unwrap(POST('/api/v2/messages/media', { body })),
      react: (body: B<'/api/v2/messages/reaction', 'post'>) => unwrap(POST('/api/v2/messages/reaction', { body })),
      sendSticker: (body: B<'/api/v2/messages/sticker', 'post'>) => unwrap(POST('/api/v2/messages/sticker', { body })),
      sendContact: (body: B<'/api/v2/messages/contact', 'post'>) => unwrap(POST('/api/v2/messages/contact', { body })),
      sendLocation: (body: B<'/api/v2/messages/location', 'post'>) => unwrap(POST('/api/v2/messages/location', { body })),
      typing: (body: B<'/api/v2/messages/typing', 'post'>) => unwrap(POST('/api/v2/messages/typing', { body })),
      edit: (id: string, body: B<'/api/v2/messages/{id}', 'patch'>) => unwrap(PATCH('/api/v2/messages/{id}', { ...byId(id), body })),
      delete: (id: string, query?: Q<'/api/v2/messages/{id}', 'delete'>) => unwrap(DELETE('/api/v2/messages/{id}', { params: { path: { id }, query } })),
    },
    events: {
      list: (query?: Q<'/api/v2/events', 'get'>) => unwrap(GET('/api/v2/events', { params: { query } })),
      get: (id: string) => unwrap(GET('/api/v2/events/{id}', byId(id))),
      analytics: (query?: Q<'/api/v2/events/analytics', 'get'>) => unwrap(GET('/api/v2/events/analytics', { params: { query } })),
      bySender: (senderId: string, query?: Q<'/api/v2/events/by-sender/{senderId}', 'get'>) =>
        unwrap(GET('/api/v2/events/by-sender/{senderId}', { params: { path: { senderId }, query } })),
      cleanup: (query: Q<'/api/v2/events/cleanup', 'delete'>) => unwrap(DELETE('/api/v2/events/cleanup', { params: { query } })),
    },
    persons: {
      list: (query?: Q<'/api/v2/persons', 'get'>) => unwrap(GET('/api/v2/persons', { params: { query } })),
      get: (id: string) => unwrap(GET('/api/v2/persons/{id}', byId(id))),
      presence: (id: string) => unwrap(GET('/api/v2/persons/{id}/presence', byId(id))),
      link: (body: B<'/api/v2/persons/link', 'post'>) => unwrap(POST('/api/v2/persons/link', { body })),
      unlink: (body: B<'/api/v2/persons/unlink', 'post'>) => unwrap(POST('/api/v2/persons/unlink', { body })),
      merge: (body: B<'/api/v2/persons/merge', 'post'>) => unwrap(POST('/api/v2/persons/merge', { body })),
    },
    access: {
      rules: {
        list: (query?: Q<'/api/v2/access/rules', 'get'>) => unwrap(GET('/api/v2/access/rules', { params: { query } })),
        get: (id: string) => unwrap(GET('/api/v2/access/rules/{id}', byId(id))),
        create: (body: B<'/api/v2/access/rules', 'post'>) => unwrap(POST('/api/v2/access/rules', { body })),
        update: (id: string, body: B<'/api/v2/access/rules/{id}', 'patch'>) => unwrap(PATCH('/api/v2/access/rules/{id}', { ...byId(id), body })),
        delete: (id: string) => unwrap(DELETE('/api/v2/access/rules/{id}', byId(id))),
      },
      check: (body: B<'/api/v2/access/check', 'post'>) => unwrap(POST('/api/v2/access/check', { body })),
    },
    providers: {
      list: () => unwrap(GET('/api/v2/providers')),
      get: (id: string) => unwrap(GET('/api/v2/providers/{id}', byId(id))),
      create: (body: B<'/api/v2/providers', 'post'>) => unwrap(POST('/api/v2/providers', { body })),
      update: (id: string, body: B<'/api/v2/providers/{id}', 'patch'>) => unwrap(PATCH('/api/v2/providers/{id}', { ...byId(id), body })),
      delete: (id: string) => unwrap(DELETE('/api/v2/providers/{id}', byId(id))),
      health: (id: string) => unwrap(POST('/api/v2/providers/{id}/health', byId(id))),
      agents: (id: string) => unwrap(GET('/api/v2/providers/{id}/agents', byId(id))),
    },
    apiKeys: {
      list: (query?: Q<'/api/v2/api-keys', 'get'>) => unwrap(GET('/api/v2/api-keys', { params: { query } })),
      get: (id: string) => unwrap(GET('/api/v2/api-keys/{id}', byId(id))),
      create: (body: B<'/api/v2/api-keys', 'post'>) => unwrap(POST('/api/v2/api-keys', { body })),
      update: (id: string, body: B<'/api/v2/api-keys/{id}', 'patch'>) => unwrap(PATCH('/api/v2/api-keys/{id}', { ...byId(id), body })),
      delete: (id: string) => unwrap(DELETE('/api/v2/api-keys/{id}', byId(id))),
      regenerate: (id: string) => unwrap(POST('/api/v2/api-keys/{id}/regenerate', byId(id))),
      audit: (id: string, query?: Q<'/api/v2/api-keys/{id}/audit', 'get'>) => unwrap(GET('/api/v2/api-keys/{id}/audit', { params: { path: { id }, query } })),
    },
    settings: {
      list: (query?: Q<'/api/v2/settings', 'get'>) => unwrap(GET('/api/v2/settings', { params: { query } })),
      update: (body: B<'/api/v2/settings', 'patch'>) => unwrap(PATCH('/api/v2/settings', { body })),
      schema: () => unwrap(GET('/api/v2/settings/schema')),
      get: (key: string) => unwrap(GET('/api/v2/settings/{key}', path({ key }))),
      set: (key: string, body: B<'/api/v2/settings/{key}', 'put'>) => unwrap(PUT('/api/v2/settings/{key}', { ...path({ key }), body })),
      delete: (key: string) => unwrap(DELETE('/api/v2/settings/{key}', path({ key }))),
      history: (key: string, query?: Q<'/api/v2/settings/{key}/history', 'get'>) =>
        unwrap(GET('/api/v2/settings/{key}/history', { params: { path: { key }, query } })),
    },
  };
}

export type OmniClient = ReturnType<typeof createOmniClient>;
