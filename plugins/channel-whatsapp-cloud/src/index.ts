import { definePlugin } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { whatsAppCloudCapabilities } from './capabilities.js';
import { WHATSAPP_CLOUD_SECRET_FIELDS, whatsAppCloudInstanceConfig } from './instance-config.js';
import { createWhatsAppCloudAdapter } from './whatsapp-cloud-adapter.js';

/** WhatsApp through Meta's Business Cloud API: the Graph API over fetch, signed webhooks in. */
export default definePlugin({
  id: 'channel-whatsapp-cloud',
  version: pkg.version,
  kind: 'channel',
  description: 'WhatsApp Business Cloud API (Meta Graph API): signed webhooks, media, delivery statuses, the 24-hour window',
  compat: { sdk: '^1.0.0' },
  services: ['kv'],
  channel: {
    id: 'whatsapp-cloud',
    name: 'WhatsApp Cloud API',
    description: 'A WhatsApp Business number through Meta: webhooks in at /api/v2/webhooks/whatsapp-cloud/:instanceId, Graph API out',
    instanceConfig: whatsAppCloudInstanceConfig,
    secretFields: WHATSAPP_CLOUD_SECRET_FIELDS,
  },
  capabilities: whatsAppCloudCapabilities,
  setup: ({ services }) => ({ adapter: createWhatsAppCloudAdapter({ kv: services.kv }) }),
});

export { whatsAppCloudInstanceConfig, type WhatsAppCloudConfig } from './instance-config.js';
export { escapeNonAscii, signatureMatches } from './webhook-signature.js';
