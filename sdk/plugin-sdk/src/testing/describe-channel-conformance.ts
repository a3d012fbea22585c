import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPES, type ContentType } from '../capabilities.js';
import type { ConnectionState } from '../channel.js';
import type { ChannelPluginDefinition } from '../plugin.js';
import { sampleContent } from './content-samples.js';
import type { TestHttpClient } from './http-client.js';
import { startTestKernel, type TestKernel } from './start-test-kernel.js';
import { waitForConnectionState } from './wait-for.js';

/** What the platform side saw the instance send. */
export interface ObservedOutbound {
  to: string;
  type: ContentType;
  text?: string;
}

/** Drives a (fake) platform for the conformance suite. One driver serves the whole suite. */
export interface ChannelTestDriver {
  /** channelConfig for an instance that talks to this platform. */
  instanceConfig(): Record<string, unknown>;
  /** A recipient id that is valid on this platform. */
  recipient: string;
  /**
   * Makes the platform deliver a user's text message to the instance; resolves once delivered.
   * Platforms that assign message ids themselves (Telegram, Discord, Slack) resolve with
   * `{ externalId }`: the id the plugin will report for that message.
   */
  deliverText(target: { instanceId: string; baseUrl: string }, message: { externalId: string; from: string; fromName?: string; chatId: string; text: string }): Promise<void | { externalId: string }>;
  /** Optional: links a newly created instance when the platform needs a user step first (e.g. scanning a QR code). */
  link?(target: { instanceId: string; http: TestHttpClient }): Promise<void>;
  /** Resolves with the next message the instance sent to the platform. */
  nextOutbound(timeoutMs?: number): Promise<ObservedOutbound>;
  close(): Promise<void>;
}

export interface ChannelConformanceOptions {
  plugin: ChannelPluginDefinition<any, any, any>;
  /** The plugin's own config, if it needs one. */
  pluginConfig?: unknown;
  createDriver(): Promise<ChannelTestDriver>;
  /** States that count as "connected" for this channel (default: `connected`). */
  connectedStates?: readonly ConnectionState[];
}

/**
 * The contract every channel plugin must meet, as a vitest suite. It runs the plugin in a
 * real test kernel against the driver's platform and checks manifest, capabilities,
 * connect/disconnect, inbound normalization and every declared outbound content type.
 */
export function describeChannelConformance(options: ChannelConformanceOptions): void {
  const { plugin } = options;
  const channelId = plugin.channel.id;
  const connected = options.connectedStates ?? ['connected'];

  describe(`channel conformance: ${plugin.id} (${channelId})`, () => {
    let tk: TestKernel;
    let driver: ChannelTestDriver;
    let instanceId: string;
    let inboundExternalId: string;

    beforeAll(async () => {
      driver = await options.createDriver();
      tk = await startTestKernel({ plugins: [plugin], config: options.pluginConfig === undefined ? {} : { [plugin.id]: options.pluginConfig } });
    });
    afterAll(async () => {
      await tk?.stop();
      await driver?.close();
    });

    it('loads, passes validation and runs', async () => {
      const res = await tk.http.get(`/api/v2/plugins/${plugin.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: plugin.id, version: plugin.version, kind: 'channel', status: 'running' });
    });

    it('lists its channel with the capabilities it declares', async () => {
      const res = await tk.http.get(`/api/v2/channels/${channelId}`);
      expect(res.status).toBe(200);
      expect(res.body.capabilities).toEqual(plugin.capabilities);
      expect(res.body.version).toBe(plugin.version);
      const supported = await tk.http.get('/api/v2/instances/supported-channels');
      expect(supported.body.items.map((c: { id: string }) => c.id)).toContain(channelId);
    });

    it('refuses an invalid channelConfig with its own schema', async () => {
      await expect(tk.createInstance({ channel: channelId, channelConfig: 42 as never })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    });

    it('connects an instance', async () => {
      const instance = await tk.createInstance({ channel: channelId, channelConfig: driver.instanceConfig() });
      instanceId = instance.id;
      await driver.link?.({ instanceId, http: tk.http });
      await waitForConnectionState(tk, instanceId, connected);
    });

    it('normalizes an inbound text message and keeps the platform message id', async () => {
      inboundExternalId = `conf-${Date.now()}`;
      const delivered = await driver.deliverText({ instanceId, baseUrl: tk.url }, { externalId: inboundExternalId, from: driver.recipient, fromName: 'Conformance User', chatId: driver.recipient, text: 'hello from the platform' });
      if (delivered) inboundExternalId = delivered.externalId;
      const event = await tk.events.waitFor('message.received', (e) => e.payload.message.externalId === inboundExternalId);
      expect(event.metadata).toMatchObject({ instanceId, channel: channelId });
      expect(event.payload.message.content).toEqual({ type: 'text', text: 'hello from the platform' });
      expect(event.payload.message.sender.id).toBeTruthy();
    });

    it.each(CONTENT_TYPES.filter((t) => plugin.capabilities.content.send.includes(t)))('sends %s as declared', async (type) => {
      const result = await tk.kernel.messages.send({ instanceId, to: driver.recipient, content: sampleContent(type, inboundExternalId) });
      expect(result).toMatchObject({ ok: true });
      const seen = await driver.nextOutbound();
      expect(seen).toMatchObject({ to: driver.recipient, type });
      const sent = await tk.events.waitFor('message.sent', (e) => e.payload.messageId === result.messageId);
      expect(sent.payload.externalId).toBeTruthy();
    });

    it.each(CONTENT_TYPES.filter((t) => !plugin.capabilities.content.send.includes(t)))('refuses %s, which it does not declare', async (type) => {
      await expect(tk.kernel.messages.send({ instanceId, to: driver.recipient, content: sampleContent(type, inboundExternalId ?? 'x') })).rejects.toMatchObject({
        code: 'CAPABILITY_NOT_SUPPORTED',
        status: 422,
      });
      await expect(driver.nextOutbound(200)).rejects.toThrow();
    });

    it('stays disconnected after a deliberate disconnect, even across a plugin restart', async () => {
      await tk.kernel.connections.disconnect(instanceId);
      expect(tk.kernel.connections.status(instanceId).state).toBe('disconnected');
      await tk.kernel.plugins.disable(plugin.id);
      await tk.kernel.plugins.enable(plugin.id);
      await new Promise((r) => setTimeout(r, 100));
      expect(tk.kernel.connections.status(instanceId).state).toBe('disconnected');
      await tk.kernel.connections.connect(instanceId);
      await waitForConnectionState(tk, instanceId, connected);
    });

    it('disconnects its instances when disabled and reconnects them when enabled', async () => {
      await tk.kernel.plugins.disable(plugin.id);
      expect(tk.kernel.connections.status(instanceId).state).toBe('disconnected');
      expect((await tk.http.get('/api/v2/channels')).body.items.map((c: { id: string }) => c.id)).not.toContain(channelId);
      await tk.kernel.plugins.enable(plugin.id);
      await waitForConnectionState(tk, instanceId, connected);
    });
  });
}
