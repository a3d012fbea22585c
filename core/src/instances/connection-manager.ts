import { OmniError, type ChannelInstance, type ConnectionState, type ConnectionStatus, type EventBus, type IngressResult, type InboundMessageInput, type Logger } from '@omni/plugin-sdk';
import type { ChannelRegistry, RegisteredChannel } from '../kernel/channel-registry.js';
import type { MediaStore } from '../media/media-store.js';
import type { InstanceStore, StoredInstance } from './instance-store.js';

/** How inbound messages and delivery reports leave a channel instance. */
export interface IngressSink {
  receive(instance: StoredInstance, message: InboundMessageInput): Promise<IngressResult>;
  reportDelivery(instance: StoredInstance, update: { externalId: string; status: 'delivered' | 'read' | 'failed'; error?: string }): Promise<void>;
}

interface LiveConnection {
  channel: RegisteredChannel;
  abort: AbortController;
}

const now = () => new Date().toISOString();

/** States in which the channel has given up on the connection and waits to be told to connect again. */
const ENDED_STATES: ReadonlySet<ConnectionState> = new Set(['logged_out', 'replaced', 'error']);

/**
 * Connects instances through their channel plugin and keeps each one's status. Instances
 * of a channel connect when its plugin starts and disconnect when it stops; a deliberate
 * disconnect is persisted, so the instance stays down until someone connects it again.
 */
export class ConnectionManager {
  private readonly statuses = new Map<string, ConnectionStatus>();
  private readonly live = new Map<string, LiveConnection>();

  constructor(
    private readonly deps: { store: InstanceStore; channels: ChannelRegistry; events: EventBus; ingress: IngressSink; media: MediaStore; logger: Logger },
  ) {
    deps.channels.onChange((event, channel) => (event === 'added' ? this.attachChannel(channel) : this.detachChannel(channel)));
  }

  status(instanceId: string): ConnectionStatus {
    return this.statuses.get(instanceId) ?? { state: 'disconnected', since: now() };
  }

  isConnected(instanceId: string): boolean {
    return this.status(instanceId).state === 'connected';
  }

  /** Connects and remembers that the instance should stay connected. */
  async connect(instanceId: string): Promise<ConnectionStatus> {
    const instance = await this.load(instanceId);
    await this.remember(instance, 'connected');
    const channel = this.deps.channels.get(instance.channel);
    if (!channel) throw new OmniError('SERVICE_UNAVAILABLE', `channel '${instance.channel}' is not running; enable its plugin first`);
    await this.open(instance, channel);
    return this.status(instanceId);
  }

  /** Disconnects and remembers that the instance should stay disconnected. */
  async disconnect(instanceId: string): Promise<void> {
    await this.remember(await this.load(instanceId), 'disconnected');
    await this.close(instanceId);
  }

  async restart(instanceId: string): Promise<ConnectionStatus> {
    await this.close(instanceId);
    return this.connect(instanceId);
  }

  /** Ends the platform session and forgets credentials; the instance stays disconnected. */
  async logout(instanceId: string): Promise<void> {
    const instance = await this.load(instanceId);
    const channel = this.deps.channels.get(instance.channel);
    await this.remember(instance, 'disconnected');
    await this.close(instanceId);
    await channel?.adapter.logout?.(instanceId);
    this.setStatus(instance, { state: 'logged_out', since: now() });
  }

  /** Drops a deleted instance's connection and status. */
  async forget(instanceId: string): Promise<void> {
    await this.close(instanceId);
    this.statuses.delete(instanceId);
  }

  private async attachChannel(channel: RegisteredChannel): Promise<void> {
    const instances = (await this.deps.store.listActive()).filter((i) => i.channel === channel.descriptor.id && i.desiredState === 'connected');
    for (const instance of instances) {
      // Connecting must not hold up the plugin's start; failures land in the status.
      void this.open(instance, channel);
    }
  }

  private async detachChannel(channel: RegisteredChannel): Promise<void> {
    const ids = [...this.live].filter(([, c]) => c.channel === channel).map(([id]) => id);
    await Promise.all(ids.map((id) => this.close(id, { code: 'CHANNEL_STOPPED', message: `channel plugin '${channel.pluginId}' stopped`, retryable: true })));
  }

  private async open(instance: StoredInstance, channel: RegisteredChannel): Promise<void> {
    if (this.live.has(instance.id)) {
      // A connection the platform ended (logged out, replaced, failed) is still held open; connecting means starting over.
      if (!ENDED_STATES.has(this.status(instance.id).state)) return;
      await this.close(instance.id);
    }
    const abort = new AbortController();
    this.live.set(instance.id, { channel, abort });
    this.setStatus(instance, { state: 'connecting', since: now() });
    try {
      await channel.adapter.connect(this.channelInstance(instance, abort.signal));
    } catch (err) {
      this.live.delete(instance.id);
      const message = err instanceof Error ? err.message : String(err);
      this.deps.logger.error({ instanceId: instance.id, channel: instance.channel, err }, 'instance connect failed');
      this.setStatus(instance, { state: 'error', since: now(), error: { code: 'CONNECT_FAILED', message, retryable: true } });
    }
  }

  private async close(instanceId: string, error?: ConnectionStatus['error']): Promise<void> {
    const conn = this.live.get(instanceId);
    if (!conn) return;
    this.live.delete(instanceId);
    conn.abort.abort();
    try {
      await conn.channel.adapter.disconnect(instanceId);
    } catch (err) {
      this.deps.logger.warn({ instanceId, err }, 'adapter disconnect failed');
    }
    const instance = await this.deps.store.get(instanceId);
    if (instance) this.setStatus(instance, error ? { state: 'disconnected', since: now(), error } : { state: 'disconnected', since: now() });
  }

  private channelInstance(instance: StoredInstance, signal: AbortSignal): ChannelInstance {
    const logger = this.deps.logger.child({ instanceId: instance.id, channel: instance.channel });
    return {
      id: instance.id,
      name: instance.name,
      config: instance.channelConfig,
      logger,
      signal,
      receive: (message) => this.deps.ingress.receive(instance, message),
      reportDelivery: (update) => this.deps.ingress.reportDelivery(instance, update),
      storeMedia: (input) => this.deps.media.put(instance.id, input),
      setStatus: (status) => {
        // Reports from a connection that was closed meanwhile are stale.
        if (signal.aborted) return;
        this.setStatus(instance, { ...status, since: status.since ?? now() });
      },
    };
  }

  private setStatus(instance: StoredInstance, status: ConnectionStatus): void {
    this.statuses.set(instance.id, status);
    this.deps.events
      .publish('instance.status', { status }, { instanceId: instance.id, channel: instance.channel })
      .catch((err: unknown) => this.deps.logger.warn({ err, instanceId: instance.id }, 'could not publish instance.status'));
  }

  /** Persists the wanted state; no write when it is already stored (an update would bump updatedAt). */
  private async remember(instance: StoredInstance, desiredState: StoredInstance['desiredState']): Promise<void> {
    if (instance.desiredState !== desiredState) await this.deps.store.update(instance.id, { desiredState });
  }

  private async load(instanceId: string): Promise<StoredInstance> {
    const instance = await this.deps.store.get(instanceId);
    if (!instance) throw new OmniError('NOT_FOUND', `instance '${instanceId}' not found`);
    return instance;
  }
}
