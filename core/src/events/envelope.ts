import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AnyEventEnvelope, EventEnvelope, EventMetadata, EventType, OmniEventMap, PublishOptions } from '@omni/plugin-sdk';

/** Builds the envelope for a publication. Absent metadata is left out rather than set to undefined, as JSON would. */
export function createEnvelope<T extends EventType>(type: T, payload: OmniEventMap[T], options: PublishOptions = {}): EventEnvelope<T> {
  const metadata: EventMetadata = { traceId: options.traceId ?? newTraceId() };
  if (options.instanceId !== undefined) metadata.instanceId = options.instanceId;
  if (options.channel !== undefined) metadata.channel = options.channel;
  if (options.correlationId !== undefined) metadata.correlationId = options.correlationId;
  return { id: options.id ?? randomUUID(), type, payload, metadata, timestamp: new Date().toISOString() };
}

/** A W3C trace-context trace id: 16 random bytes as 32 hex digits. */
function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

const envelopeSchema = z.object({
  id: z.string(),
  type: z.string(),
  payload: z.unknown(),
  metadata: z.object({
    instanceId: z.string().optional(),
    channel: z.string().optional(),
    traceId: z.string(),
    correlationId: z.string().optional(),
  }),
  timestamp: z.string(),
});

export function encodeEnvelope(envelope: EventEnvelope): string {
  return JSON.stringify(envelope);
}

/** Parses an encoded envelope; throws if it is not JSON or not shaped like an envelope. */
export function decodeEnvelope(encoded: string): AnyEventEnvelope {
  // The payload is whatever the publisher sent for this type; the bus checks the envelope, not the payload.
  return envelopeSchema.parse(JSON.parse(encoded)) as AnyEventEnvelope;
}
