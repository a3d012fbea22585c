import { definePlugin, lazyAdapter, type KeyValueStore, type Logger } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { baileysCapabilities } from './capabilities.js';
import { baileysInstanceConfig } from './instance-config.js';
import { redactLibsignalConsole } from './libsignal-console.js';

/** The optional adapter methods the Baileys implementation has (a test compares this with it). */
export const BAILEYS_ADAPTER_METHODS = ['logout', 'edit', 'delete', 'typing', 'markRead', 'updateProfile', 'validateRecipient', 'fetchProfile', 'sync', 'discoverSessions'] as const;

/** The implementation, with Baileys itself (~75 MB of RSS), loads when it is first used. */
export async function loadBaileysAdapter(secrets: KeyValueStore, logger?: Logger) {
  // Before libsignal loads: it prints Signal sessions, private keys included, with console.*.
  redactLibsignalConsole((line) => logger?.debug(line));
  const [{ createBaileysAdapter }, { SessionStore }, { ChatIndex }] = await Promise.all([import('./baileys-adapter.js'), import('./session-store.js'), import('./chat-index.js')]);
  return createBaileysAdapter(new SessionStore(secrets), new ChatIndex(secrets));
}

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
  setup: ({ services }) => ({ adapter: lazyAdapter(() => loadBaileysAdapter(services.secrets, services.logger), BAILEYS_ADAPTER_METHODS) }),
});

export { baileysInstanceConfig, type BaileysInstanceConfig } from './instance-config.js';
