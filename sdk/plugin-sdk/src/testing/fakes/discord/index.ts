/**
 * A loopback Discord for tests: REST API v10, gateway (WebSocket) and attachment CDN on one
 * 127.0.0.1 port. Point discord.js at it with `rest: { api: fake.apiBase }`; the gateway URL
 * comes from the fake's `GET /gateway/bot`.
 */
export { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type UserMessageInput } from './fake-discord.js';
export { FakeGateway } from './gateway.js';
export { INTENTS } from './payloads.js';
export type { DiscordAttachment, DiscordChannel, DiscordGuild, DiscordMessage, DiscordUser, InjectedFailure, RecordedCall, RecordedGatewayOp } from './types.js';
