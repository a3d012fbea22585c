/**
 * A loopback fake of the WhatsApp Business Cloud API for tests: the Graph API (messages, read
 * receipts, media upload and download, Meta's error shapes) and Meta's webhook side (signed
 * notifications, the verification handshake).
 */
export { startFakeGraphApi, type FakeGraphApi, type FakeGraphApiOptions, type GraphCall, type SentGraphMessage, type StoredGraphMedia } from './fake-graph-api.js';
export { graphErrors, type GraphErrorBody, type GraphErrorResponse, type GraphFailure } from './graph-errors.js';
export { GRAPH_MESSAGE_TYPES, outboundProblem, type GraphMessageType } from './outbound-validation.js';
export {
  inbound,
  inboundMessageId,
  messagesNotification,
  status,
  statusesNotification,
  type WebhookInboundMessage,
  type WebhookMetadata,
  type WebhookNotification,
  type WebhookStatus,
} from './webhook-payloads.js';
export { deliverWebhook, escapeNonAscii, signWebhookBody, verifyWebhook, type WebhookAnswer, type WebhookDeliveryOptions } from './webhook-delivery.js';
