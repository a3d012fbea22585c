import { definePlugin } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { createBaileysAdapter } from './baileys-adapter.js';
import { baileysCapabilities } from './capabilities.js';
import { baileysInstanceConfig } from './instance-config.js';
import { ChatIndex } from './chat-index.js';
import { SessionStore } from './session-store.js';

/** WhatsApp through WhatsApp Web (Baileys): link by QR or pairing code; the session lives encrypted in Omni's database. */
export default definePlugin({
  id: 'channel-whatsapp-baileys',
  version: pkg.version,
  kind: 'channel',
  description: 'WhatsApp via Baileys (WhatsApp Web): QR or pairing code, encrypted session in the database, LID-aware',
  compat: { sdk: '^1.0.0' },
  services: ['logger', 'secrets'],
  channel: {
    id: 'whatsapp-baileys',
    name: 'WhatsApp (Baileys)',
    description: 'A WhatsApp account linked as a WhatsApp Web device; pair with GET /api/v2/instances/:id/qr or a pairing code',
    instanceConfig: baileysInstanceConfig,
  },
  capabilities: baileysCapabilities,
  setup: ({ services }) => ({ adapter: createBaileysAdapter(new SessionStore(services.secrets), new ChatIndex(services.secrets)) }),
});

export { baileysInstanceConfig, type BaileysInstanceConfig } from './instance-config.js';
export { closeAction, backoffDelay, type CloseAction } from './reconnect-policy.js';
