import type { WebhookRequest, WebhookResponse } from '@omni/plugin-sdk';
import { verifySlackSignature } from './request-signature.js';
import type { SlackConnection } from './slack-connection.js';

const refuse = (status: number, code: string, message: string): WebhookResponse => ({ status, body: { error: { code, message } } });

/**
 * The Events API endpoint (`/api/v2/webhooks/slack/:instanceId`): checks the signature over the
 * raw body, answers `url_verification`, and stores each event's messages before answering 200.
 * Slack's retries (`X-Slack-Retry-Num`) carry the same message ids, so they are stored once.
 */
export async function handleEventsRequest(connection: SlackConnection | undefined, request: WebhookRequest): Promise<WebhookResponse> {
  if (request.method !== 'POST') return { ...refuse(405, 'METHOD_NOT_ALLOWED', 'Slack delivers events with POST'), headers: { allow: 'POST' } };
  if (!connection) return refuse(503, 'SERVICE_UNAVAILABLE', 'this instance is disconnected; Slack will retry');
  const { config } = connection.instance;
  if (config.mode !== 'events' || !config.signingSecret) return refuse(409, 'CONFLICT', 'this instance receives events over Socket Mode');
  const check = verifySlackSignature(config.signingSecret, request.headers, request.rawBody);
  if (!check.ok) return refuse(401, 'UNAUTHORIZED', `invalid Slack request signature: ${check.reason}`);
  const body = request.body as { type?: unknown; challenge?: unknown } | undefined;
  if (typeof body !== 'object' || body === null || typeof body.type !== 'string') return refuse(400, 'BAD_REQUEST', 'expected a Slack Events API JSON payload');
  if (body.type === 'url_verification') {
    if (typeof body.challenge !== 'string') return refuse(400, 'BAD_REQUEST', 'url_verification without a challenge');
    return { status: 200, body: { challenge: body.challenge } };
  }
  if (!connection.ready) return refuse(503, 'SERVICE_UNAVAILABLE', 'this instance is not connected to Slack yet; Slack will retry');
  const outcome = await connection.processPayload(body);
  return {
    status: 200,
    body: { ok: true, received: outcome.received.length, eventIds: outcome.received.map((r) => r.eventId), duplicates: outcome.received.filter((r) => r.duplicate).length },
  };
}
