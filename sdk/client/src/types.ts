/** Response shapes of the v2 API, as the client sees them. */
export interface Health {
  status: 'healthy' | 'degraded' | 'unhealthy';
  version: string;
  uptime: number;
  timestamp: string;
  checks: {
    database: { status: 'ok' | 'error'; latency: number; error?: string };
    eventBus: { status: 'ok' | 'error'; backend: 'nats' | 'in-process'; detail?: string };
    channels: Record<string, 'ok'>;
    plugins: Record<string, { status: string; error?: string }>;
  };
  instances: { total: number; connected: number; byChannel: Record<string, number> };
}

export interface Info {
  version: string;
  sdkApiVersion: string;
  environment: string;
  uptime: number;
  database: 'sqlite' | 'postgresql';
  eventBus: 'nats' | 'in-process';
  instances: { total: number; connected: number };
  plugins: { total: number; running: number; failed: number };
  channels: string[];
}

export interface ChannelCapabilities {
  content: { send: string[]; receive: string[] };
  features: string[];
  auth: string[];
  limits: { maxTextLength: number; maxFileSize: number; maxCaptionLength?: number };
  events: string[];
  messagingWindow?: { hours: number; outsideWindow: 'template-only' };
}

export interface Channel {
  id: string;
  name: string;
  description: string;
  version: string;
  pluginId: string;
  capabilities: ChannelCapabilities;
  configSchema: Record<string, unknown>;
  secretFields: string[];
}

export interface SupportedChannel {
  id: string;
  name: string;
  description: string;
  version: string;
  requiresQr: boolean;
  supportsOAuth: boolean;
  capabilities: ChannelCapabilities;
}

export interface Plugin {
  id: string;
  version?: string;
  kind?: 'channel' | 'agent-provider' | 'media-processor' | 'extension';
  description?: string;
  source: string;
  status: 'loaded' | 'starting' | 'running' | 'failed' | 'disabled' | 'stopping' | 'stopped';
  enabled: boolean;
  dependsOn: string[];
  error?: { code: string; message: string; details?: unknown };
  startedAt?: string;
}
