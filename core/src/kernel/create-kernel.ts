import { asValue, createContainer } from 'awilix';
import type { Logger as PinoLogger } from 'pino';
import { type Hooks } from '@omni/plugin-sdk';
import type { OmniConfig } from '../config.js';
import { createDatabase, type Database } from '../db/create-database.js';
import { InstanceRepository } from '../db/repositories/instance-repository.js';
import { KvRepository } from '../db/repositories/kv-repository.js';
import { PluginStateRepository } from '../db/repositories/plugin-state-repository.js';
import { createEventBus, type ManagedEventBus } from '../events/create-event-bus.js';
import { ConnectionManager } from '../instances/connection-manager.js';
import { InstanceService } from '../instances/instance-service.js';
import { AgentCaller } from '../agents/agent-caller.js';
import { AgentProviderRepository } from '../agents/agent-provider-repository.js';
import { createAccessHook } from '../access/access-hook.js';
import { AccessRuleService } from '../access/access-rule-service.js';
import { IdentityService } from '../identity/identity-service.js';
import { Ingress } from '../messages/ingress.js';
import { MessageSender } from '../messages/message-sender.js';
import { MessageEventStore } from '../pipeline/message-event-store.js';
import { MessageRouter } from '../pipeline/message-router.js';
import { startRecoverySweep } from '../pipeline/recovery.js';
import { TurnProcessor } from '../pipeline/turn-processor.js';
import { EventQueryRepository } from '../traces/event-query-repository.js';
import { startPayloadRetention } from '../traces/payload-retention.js';
import { AgentProviderRegistry } from './agent-provider-registry.js';
import { ChannelRegistry } from './channel-registry.js';
import { HookBus } from './hook-bus.js';
import { PluginManager, type PluginCandidate } from './plugin-manager.js';
import type { PluginServiceDeps } from './plugin-services.js';
import { CORE_SETTINGS } from '../settings/core-settings.js';
import { registerPluginSettings } from '../settings/plugin-settings.js';
import { SettingStore } from '../settings/setting-store.js';
import { SettingsRegistry } from '../settings/settings-registry.js';
import { SettingsService } from '../settings/settings-service.js';
import { MediaStore } from '../media/media-store.js';
import { ApiKeyService } from '../auth/api-key-service.js';
import { AuditLog } from '../auth/audit-log.js';
import { MessageActions } from '../messages/message-actions.js';
import { SyncJobs } from '../instances/sync-jobs.js';
import { encryptedStore } from '../secrets/encrypted-kv.js';
import { SecretCipher } from '../secrets/secret-cipher.js';
import { SecretFields } from '../secrets/secret-fields.js';
import { loadSecretKey } from '../secrets/secret-key.js';

/** Every core service, by its DI token. */
export interface KernelCradle extends PluginServiceDeps {
  config: OmniConfig;
  database: Database;
  eventBus: ManagedEventBus;
  channels: ChannelRegistry;
  agentProviders: AgentProviderRegistry;
  instanceRepository: InstanceRepository;
  connections: ConnectionManager;
  instances: InstanceService;
  messages: MessageSender;
  messageEvents: MessageEventStore;
  eventQueries: EventQueryRepository;
  identity: IdentityService;
  access: AccessRuleService;
  providerRecords: AgentProviderRepository;
  agentCaller: AgentCaller;
  router: MessageRouter;
  plugins: PluginManager;
  settings: SettingsService;
  media: MediaStore;
  secretCipher: SecretCipher;
}

export interface Kernel {
  readonly config: OmniConfig;
  readonly logger: PinoLogger;
  readonly startedAt: Date;
  readonly container: ReturnType<typeof createContainer<KernelCradle>>;
  readonly database: Database;
  readonly events: ManagedEventBus;
  readonly hookBus: HookBus;
  /** The hook API as core code uses it. */
  readonly hooks: Hooks;
  readonly channels: ChannelRegistry;
  readonly agentProviders: AgentProviderRegistry;
  readonly plugins: PluginManager;
  readonly instanceRepository: InstanceRepository;
  readonly instances: InstanceService;
  readonly connections: ConnectionManager;
  readonly messages: MessageSender;
  readonly messageEvents: MessageEventStore;
  readonly eventQueries: EventQueryRepository;
  readonly identity: IdentityService;
  readonly access: AccessRuleService;
  readonly media: MediaStore;
  readonly apiKeys: ApiKeyService;
  readonly auditLog: AuditLog;
  readonly messageActions: MessageActions;
  readonly syncJobs: SyncJobs;
  readonly providerRecords: AgentProviderRepository;
  readonly agentCaller: AgentCaller;
  readonly router: MessageRouter;
  /** Runtime-editable settings, core and plugin-contributed: `kernel.settings.get('setup.completed')`. */
  readonly settings: SettingsService;
  /** Starts every plugin (instances of each channel connect as its plugin starts). */
  start(): Promise<void>;
  /** Stops plugins in reverse order, then the event bus and the database. */
  stop(): Promise<void>;
}

export interface KernelOptions {
  config: OmniConfig;
  logger: PinoLogger;
  plugins: readonly PluginCandidate[];
  /** Reuse an event bus (tests sharing NATS); the kernel still closes it on stop. */
  eventBus?: ManagedEventBus;
}

/** Builds the kernel: storage, buses, registries and the validated plugin set. Runs no plugin code. */
export async function createKernel(options: KernelOptions): Promise<Kernel> {
  const { config, logger } = options;
  const database = await createDatabase({ databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize, dataDir: config.dataDir, logger });
  let eventBus: ManagedEventBus;
  try {
    eventBus = options.eventBus ?? (await createEventBus({ natsUrl: config.natsUrl, namespace: config.natsNamespace, logger }));
  } catch (err) {
    await database.close();
    throw err;
  }

  const container = createContainer<KernelCradle>({ injectionMode: 'PROXY', strict: true });
  const hookBus = new HookBus();
  const channels = new ChannelRegistry();
  let secretCipher: SecretCipher;
  try {
    const secretKey = await loadSecretKey({ envKey: config.secretKey, dataDir: config.dataDir });
    if (secretKey.origin === 'generated') logger.info({ path: secretKey.path }, 'generated the key that encrypts secrets at rest; back it up with the database');
    secretCipher = new SecretCipher(secretKey.key);
  } catch (err) {
    await Promise.allSettled([database.close(), options.eventBus ? undefined : eventBus.close()]);
    throw err;
  }
  const media = new MediaStore(config.dataDir);
  const auditLog = new AuditLog(database, logger);
  const apiKeys = new ApiKeyService(database, auditLog);
  const kvStores = new KvRepository(database);
  const secretFields = new SecretFields(secretCipher);
  const instanceRepository = new InstanceRepository(database, undefined, {
    fields: secretFields,
    channelFields: (channel) => channels.get(channel)?.descriptor.secretFields ?? [],
  });
  const messageEvents = new MessageEventStore(database);
  const connections = new ConnectionManager({ store: instanceRepository, channels, events: eventBus, ingress: new Ingress({ events: eventBus, store: messageEvents, logger }), media, logger });
  const hooks = hookBus.forOwner('core');
  const pluginStates = new PluginStateRepository(database);
  const agentProviders = new AgentProviderRegistry();
  const settingsRegistry = new SettingsRegistry();
  settingsRegistry.register(CORE_SETTINGS);
  const settings = new SettingsService({
    registry: settingsRegistry,
    store: new SettingStore(database),
    cipher: secretCipher,
    logger,
    onChange: (change) => void eventBus.publish('settings.changed', change).catch((err: unknown) => logger.warn({ err, setting: change.key }, 'could not publish settings.changed')),
  });
  const plugins = new PluginManager({
    container,
    registrars: { channel: channels, 'agent-provider': agentProviders },
    logger,
    states: { isEnabled: async (id) => (await pluginStates.get(id))?.enabled, setEnabled: async (id, enabled) => void (await pluginStates.setEnabled(id, enabled)) },
    pluginConfig: config.pluginConfig,
    disabled: config.disabledPlugins,
    registerSettings: (def) => registerPluginSettings(settingsRegistry, def),
    setupTimeoutMs: config.setupTimeoutMs,
    onStatus: (info) => {
      void eventBus.publish('plugin.status', { pluginId: info.id, status: info.status, ...(info.error ? { error: info.error.message } : {}) }).catch(() => undefined);
    },
  });
  const instances = new InstanceService({ repository: instanceRepository, channels, connections });
  const messages = new MessageSender({ store: instanceRepository, events: messageEvents, channels, hooks, bus: eventBus });
  const identity = new IdentityService(database, {
    onChange: ({ type, ...payload }) => void eventBus.publish(type, payload as never).catch((err: unknown) => logger.warn({ err, type }, 'could not publish identity change')),
  });
  const access = new AccessRuleService(database);
  // Rules decide at order 0; plugins may veto earlier (negative order) or later.
  hookBus.add('core', 'message.access', createAccessHook(access, identity), { order: 0 });
  const eventQueries = new EventQueryRepository(database);
  const providerRecords = new AgentProviderRepository(database, secretFields);
  const agentCaller = new AgentCaller(agentProviders);
  const turns = new TurnProcessor({ instances: instanceRepository, channels, providers: providerRecords, caller: agentCaller, sender: messages, events: messageEvents, logger });
  const router = new MessageRouter({ bus: eventBus, store: messageEvents, instances: instanceRepository, identity, hooks, turns, logger, leaseMs: config.processingLeaseMs });
  let sweep: ReturnType<typeof startRecoverySweep> | undefined;
  let retention: ReturnType<typeof startPayloadRetention> | undefined;

  container.register({
    config: asValue(config),
    rootLogger: asValue(logger),
    database: asValue(database),
    eventBus: asValue(eventBus),
    hookBus: asValue(hookBus),
    kvStores: asValue(kvStores),
    secretStores: asValue({ forPlugin: (pluginId: string) => encryptedStore(kvStores.forPlugin(`secrets:${pluginId}`), secretCipher) }),
    secretCipher: asValue(secretCipher),
    media: asValue(media),
    channels: asValue(channels),
    agentProviders: asValue(agentProviders),
    instanceRepository: asValue(instanceRepository),
    connections: asValue(connections),
    instances: asValue(instances),
    messages: asValue(messages),
    messageEvents: asValue(messageEvents),
    eventQueries: asValue(eventQueries),
    identity: asValue(identity),
    access: asValue(access),
    providerRecords: asValue(providerRecords),
    agentCaller: asValue(agentCaller),
    router: asValue(router),
    plugins: asValue(plugins),
    settings: asValue(settings),
  });

  await plugins.load(options.plugins);

  return {
    config,
    logger,
    startedAt: new Date(),
    container,
    database,
    events: eventBus,
    hookBus,
    hooks,
    channels,
    agentProviders,
    plugins,
    instanceRepository,
    instances,
    connections,
    messages,
    messageEvents,
    eventQueries,
    identity,
    access,
    media,
    apiKeys,
    auditLog,
    messageActions: new MessageActions({ store: instanceRepository, channels, database }),
    syncJobs: new SyncJobs(logger),
    providerRecords,
    agentCaller,
    router,
    settings,
    start: async () => {
      await plugins.startAll();
      await router.start();
      sweep = startRecoverySweep({ store: messageEvents, router, logger, maxAgeMs: config.recoveryMaxAgeMs }, router.leaseMs);
      await sweep.first;
      retention = startPayloadRetention({ events: eventQueries, days: config.payloadRetentionDays, logger });
    },
    stop: async () => {
      await hooks.callSerial('kernel.stopping', {}).catch((err: unknown) => logger.error({ err }, 'kernel.stopping hook failed'));
      // Finish buffered bursts while channels still run, then stop the plugins.
      sweep?.stop();
      retention?.stop();
      await router.stop();
      await plugins.stopAll();
      await auditLog.flush();
      await eventBus.close();
      await database.close();
    },
  };
}
