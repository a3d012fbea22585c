import { describeChannelConformance, type ChannelTestDriver, type ObservedOutbound } from '@omni/plugin-sdk/testing';
import { deliverWebhook, inbound, messagesNotification, startFakeGraphApi, type FakeGraphApi } from '@omni/plugin-sdk/testing/whatsapp-cloud';
import type { ContentType } from '@omni/plugin-sdk';
import whatsAppCloud from './index.js';

const APP_SECRET = 'conformance-app-secret-0123456789';

/** Graph message types as Omni content types. */
const CONTENT_OF: Record<string, ContentType> = { contacts: 'contact' };

async function createWhatsAppCloudDriver(): Promise<ChannelTestDriver & { graph: FakeGraphApi }> {
  const graph = await startFakeGraphApi();
  return {
    graph,
    recipient: '15551234567',
    instanceConfig: () => ({ phoneNumberId: graph.phoneNumberId, accessToken: graph.accessToken, appSecret: APP_SECRET, verifyToken: 'conformance-verify-token', graphBaseUrl: graph.url }),
    async deliverText({ instanceId, baseUrl }, m) {
      const payload = messagesNotification(graph.metadata, { from: m.from, name: m.fromName, messages: [inbound.text({ from: m.from, id: m.externalId, text: m.text })] });
      const answer = await deliverWebhook(`${baseUrl}/api/v2/webhooks/whatsapp-cloud/${instanceId}`, payload, { appSecret: APP_SECRET });
      if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    },
    async nextOutbound(timeoutMs): Promise<ObservedOutbound> {
      const sent = await graph.nextMessage(timeoutMs);
      return { to: sent.to, type: CONTENT_OF[sent.type] ?? (sent.type as ContentType), text: sent.text };
    },
    close: () => graph.close(),
  };
}

describeChannelConformance({ plugin: whatsAppCloud, createDriver: createWhatsAppCloudDriver });
