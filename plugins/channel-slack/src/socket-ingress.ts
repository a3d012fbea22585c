import { SocketModeClient } from '@slack/socket-mode';
import type { Logger } from '@omni/plugin-sdk';
import { slackLogger } from './slack-logger.js';

export interface SocketIngressOptions {
  appToken: string;
  slackApiUrl?: string;
  timeoutMs: number;
  logger: Logger;
  /** Handles one `events_api` payload; the envelope is acknowledged only after it resolves. */
  onEvent(payload: unknown): Promise<void>;
  /** The live connection closed without `stop()`: time to reconnect. */
  onDrop(): void;
}

/**
 * One Socket Mode session over @slack/socket-mode. The library's own reconnect (linear, no
 * jitter) is off: a dropped session reports `onDrop` and the connection decides when to retry.
 */
export class SocketIngress {
  private readonly client: SocketModeClient;
  private live = false;
  private stopped = false;

  constructor(private readonly options: SocketIngressOptions) {
    this.client = new SocketModeClient({
      appToken: options.appToken,
      autoReconnectEnabled: false,
      logger: slackLogger(options.logger),
      clientOptions: { ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}), retryConfig: { retries: 0 }, timeout: options.timeoutMs, rejectRateLimitedCalls: true },
    });
    this.client.on('slack_event', (args: { ack: (response?: object) => Promise<void>; type: string; body: unknown }) => {
      void this.handle(args);
    });
    this.client.on('disconnected', () => {
      if (!this.live || this.stopped) return;
      this.live = false;
      options.onDrop();
    });
  }

  private async handle({ ack, type, body }: { ack: (response?: object) => Promise<void>; type: string; body: unknown }) {
    try {
      if (type === 'events_api') await this.options.onEvent(body);
      await ack();
    } catch (err) {
      // Not acknowledged: Slack delivers the envelope again.
      this.options.logger.warn({ err: (err as Error).message }, 'slack socket mode event not processed; left unacknowledged for redelivery');
    }
  }

  /** Opens the session; resolves once Slack said hello. */
  async start(): Promise<void> {
    await this.client.start();
    if (this.stopped) {
      await this.client.disconnect();
      return;
    }
    this.live = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    await this.client.disconnect().catch(() => undefined);
    this.client.removeAllListeners();
  }
}
