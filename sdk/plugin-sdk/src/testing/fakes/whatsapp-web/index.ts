export { FakeWhatsAppWeb, type FakeConnection, type FakeWhatsAppWebOptions, type ObservedStanza, type PushOptions } from './fake-whatsapp-web.js';
export { processEnvForFakeWhatsAppWeb, trustFakeWhatsAppWeb } from './trust.js';
export { parsePairingQr, type FakeAccount, type PairingQr } from './pairing.js';
export { FakeMediaHost, type StoredBlob } from './media-host.js';
export type { InboundMediaKind } from './inbound-media.js';
export type { FakeConversation, FakeHistoryMessage, FakeHistorySyncType, HistoryRequest } from './history-sync.js';
