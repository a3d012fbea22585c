import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataTypeMap } from 'baileys';
import type { DiscoveredSession, KeyValueStore } from '@omni/plugin-sdk';

/** What `discoverSessions` reports about a linked session, kept under `info/<instanceId>`. */
export interface SessionInfo {
  phone: string;
  name?: string;
  lastSeen: string;
}

const prefix = (instanceId: string) => `session/${instanceId}/`;
const encode = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const decode = <T>(raw: unknown): T | undefined => (typeof raw === 'string' ? (JSON.parse(raw, BufferJSON.reviver) as T) : undefined);

/**
 * Baileys' AuthenticationState (creds and Signal keys) kept in the plugin's `secrets` store:
 * encrypted at rest in Omni's database, one entry per key, under `session/<instanceId>/`.
 */
export class SessionStore {
  constructor(private readonly secrets: KeyValueStore) {}

  /** Loads (or starts) an instance's auth state. `saveCreds` must be called on every `creds.update`. */
  async authState(instanceId: string): Promise<{ state: AuthenticationState; saveCreds: () => Promise<void>; isNew: boolean }> {
    const base = prefix(instanceId);
    const stored = decode<AuthenticationCreds>(await this.secrets.get(`${base}creds`));
    const creds = stored ?? initAuthCreds();
    const state: AuthenticationState = {
      creds,
      keys: {
        get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
          const out: { [id: string]: SignalDataTypeMap[T] } = {};
          await Promise.all(
            ids.map(async (id) => {
              let value = decode<SignalDataTypeMap[T]>(await this.secrets.get(`${base}keys/${type}/${id}`));
              if (value && type === 'app-state-sync-key') value = proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>) as unknown as SignalDataTypeMap[T];
              if (value !== undefined) out[id] = value;
            }),
          );
          return out;
        },
        set: async (data) => {
          const writes: Array<Promise<unknown>> = [];
          for (const [type, entries] of Object.entries(data)) {
            for (const [id, value] of Object.entries(entries ?? {})) {
              const key = `${base}keys/${type}/${id}`;
              writes.push(value ? this.secrets.set(key, encode(value)) : this.secrets.delete(key));
            }
          }
          await Promise.all(writes);
        },
      },
    };
    return { state, saveCreds: () => this.secrets.set(`${base}creds`, encode(creds)), isNew: stored === undefined };
  }

  async recordInfo(instanceId: string, info: SessionInfo): Promise<void> {
    await this.secrets.set(`info/${instanceId}`, info);
  }

  /** Forgets everything about an instance's session: creds, keys and info. */
  async clear(instanceId: string): Promise<number> {
    await this.secrets.delete(`info/${instanceId}`);
    return this.secrets.deletePrefix(prefix(instanceId));
  }

  async hasSession(instanceId: string): Promise<boolean> {
    return (await this.secrets.get(`${prefix(instanceId)}creds`)) !== undefined;
  }

  /** Every stored, linked session (one per instance id). */
  async list(connected: (instanceId: string) => boolean): Promise<DiscoveredSession[]> {
    const entries = await this.secrets.list<SessionInfo>('info/');
    return entries.map((e) => {
        const sessionId = e.key.slice('info/'.length);
        return { sessionId, phone: e.value.phone, ...(e.value.name ? { name: e.value.name } : {}), connected: connected(sessionId), lastSeen: e.value.lastSeen };
      });
  }
}
