import { z } from 'zod';
import type { EventView } from '../../traces/event-view.js';

export const v1InstanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  channel_type: z.string(),
  is_active: z.boolean(),
  is_default: z.boolean(),
  agent_api_url: z.string().nullable(),
  agent_api_key: z.string().nullable(),
  agent_id: z.string().nullable(),
  agent_type: z.enum(['provider', 'agent']),
  agent_timeout: z.number().nullable(),
  agent_stream_mode: z.boolean(),
  default_agent: z.string().nullable(),
  enable_auto_split: z.boolean(),
  profile_name: z.string().nullable(),
  profile_pic_url: z.string().nullable(),
  owner_jid: z.string().nullable(),
  status: z.string(),
  channel_config: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});

export const v1TraceSchema = z.object({
  trace_id: z.string(),
  instance_name: z.string().nullable(),
  sender_phone: z.string().nullable(),
  sender_name: z.string().nullable(),
  message_type: z.string(),
  has_media: z.boolean(),
  session_name: z.string().nullable(),
  status: z.enum(['received', 'completed', 'failed', 'blocked']),
  error_message: z.string().nullable(),
  error_stage: z.string().nullable(),
  received_at: z.string(),
  completed_at: z.string().nullable(),
  agent_processing_time_ms: z.number().nullable(),
  total_processing_time_ms: z.number().nullable(),
  agent_response_success: z.boolean(),
});

export const v1UserSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phone_number: z.string().nullable(),
  email: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const v1SettingSchema = z.object({ key: z.string(), value: z.unknown(), value_type: z.string(), category: z.string().nullable() });

/** v2 instance view → the v1 field names the existing UI reads (anchors-omni.md). */
export function toV1Instance(v2: {
  id: string;
  name: string;
  channel: string;
  channelConfig: Record<string, unknown>;
  agent: Record<string, unknown> | null;
  messaging: Record<string, unknown>;
  isActive: boolean;
  status: string;
  createdAt: string;
  updatedAt: string;
}): z.output<typeof v1InstanceSchema> {
  const agent = v2.agent ?? {};
  return {
    id: v2.id,
    name: v2.name,
    channel_type: v2.channel,
    is_active: v2.isActive,
    is_default: false,
    agent_api_url: (agent.apiUrl as string | undefined) ?? null,
    // v2 masks it already; v1 never saw the stored key either.
    agent_api_key: (agent.apiKey as string | undefined) ?? null,
    agent_id: (agent.agentId as string | undefined) ?? null,
    agent_type: agent.providerId ? ('provider' as const) : ('agent' as const),
    // v1 counted seconds; v2 counts milliseconds.
    agent_timeout: typeof agent.timeout === 'number' ? Math.round(agent.timeout / 1000) : null,
    agent_stream_mode: (agent.streaming as boolean | undefined) ?? false,
    default_agent: (agent.agentId as string | undefined) ?? null,
    enable_auto_split: (v2.messaging.enableAutoSplit as boolean | undefined) ?? true,
    profile_name: null,
    profile_pic_url: null,
    owner_jid: null,
    status: v2.status,
    channel_config: v2.channelConfig,
    created_at: v2.createdAt,
    updated_at: v2.updatedAt,
  };
}

/** v1 connection states: connected | disconnected | connecting | error. */
export const toV1Status = (state: string): string =>
  state === 'connected' ? 'connected' : state === 'connecting' || state === 'reconnecting' || state === 'awaiting_qr' ? 'connecting' : state === 'error' ? 'error' : 'disconnected';

const MEDIA = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/** An inbound v2 event → a v1 trace row. */
export function toV1Trace(e: EventView, instanceName: string | undefined): z.output<typeof v1TraceSchema> {
  const completed = e.stages.findLast((s) => ['sent', 'delivered', 'read', 'failed', 'blocked'].includes(s.stage));
  return {
    trace_id: e.traceId,
    instance_name: instanceName ?? null,
    sender_phone: e.sender?.platformUserId ?? null,
    sender_name: e.sender?.name ?? null,
    message_type: e.contentType,
    has_media: MEDIA.has(e.contentType),
    session_name: null,
    status: e.status === 'failed' ? ('failed' as const) : e.status === 'blocked' ? ('blocked' as const) : e.status === 'received' ? ('received' as const) : ('completed' as const),
    error_message: e.error?.message ?? null,
    error_stage: e.error?.stage ?? null,
    received_at: e.createdAt,
    completed_at: completed?.at ?? null,
    agent_processing_time_ms: e.timings.agentMs,
    total_processing_time_ms: e.timings.totalMs,
    agent_response_success: e.timings.agentMs !== null && e.status !== 'failed',
  };
}
