import { AccessRuleSchema } from './access-rule.js';
import { AgentProviderSchema } from './agent-provider.js';
import { ApiKeyAuditSchema, ApiKeySchema } from './api-key.js';
import { IdempotencyKeySchema } from './idempotency-key.js';
import { InstanceSchema } from './instance.js';
import { KvEntrySchema } from './kv-entry.js';
import { MessageEventSchema } from './message-event.js';
import { PersonSchema } from './person.js';
import { PlatformIdentitySchema } from './platform-identity.js';
import { PluginStateSchema } from './plugin-state.js';
import { SettingHistorySchema } from './setting-history.js';
import { SettingSchema } from './setting.js';

export const entities = [
  PluginStateSchema,
  KvEntrySchema,
  InstanceSchema,
  MessageEventSchema,
  PersonSchema,
  PlatformIdentitySchema,
  AccessRuleSchema,
  AgentProviderSchema,
  IdempotencyKeySchema,
  ApiKeySchema,
  ApiKeyAuditSchema,
  SettingSchema,
  SettingHistorySchema,
];
