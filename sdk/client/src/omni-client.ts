import type { Channel, Health, Info, Plugin, SupportedChannel } from './types.js';

/** An error answer from the API, carrying the envelope's code and details. */
export class OmniApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'OmniApiError';
  }
}

export interface OmniClientOptions {
  /** e.g. `http://127.0.0.1:8882` */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

/** A typed client for the Omni v2 API. */
export function createOmniClient(options: OmniClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await doFetch(new URL(path, options.baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new OmniApiError(res.status, error?.code ?? 'UNKNOWN', error?.message ?? `HTTP ${res.status}`, error?.details);
    }
    return parsed as T;
  };
  const id = encodeURIComponent;

  return {
    health: () => request<Health>('GET', '/api/v2/health'),
    info: () => request<Info>('GET', '/api/v2/info'),
    channels: {
      list: () => request<{ items: Channel[] }>('GET', '/api/v2/channels'),
      get: (channelId: string) => request<Channel>('GET', `/api/v2/channels/${id(channelId)}`),
      supported: () => request<{ items: SupportedChannel[]; total: number }>('GET', '/api/v2/instances/supported-channels'),
    },
    plugins: {
      list: () => request<{ items: Plugin[] }>('GET', '/api/v2/plugins'),
      get: (pluginId: string) => request<Plugin>('GET', `/api/v2/plugins/${id(pluginId)}`),
      enable: (pluginId: string) => request<Plugin>('POST', `/api/v2/plugins/${id(pluginId)}/enable`),
      disable: (pluginId: string) => request<Plugin>('POST', `/api/v2/plugins/${id(pluginId)}/disable`),
    },
  };
}

export type OmniClient = ReturnType<typeof createOmniClient>;
