import { z } from 'zod';
import type { SettingDefinition } from './setting-definition.js';

/** The value type of each core setting, for `SettingsService.get`. */
export interface CoreSettingValues {
  'setup.completed': boolean;
  'services.heartbeat_interval_ms': number;
  'startup.delay_between_channels_ms': number;
  'startup.max_concurrent_connections': number;
  'startup.health_check_timeout_ms': number;
}

export type CoreSettingKey = keyof CoreSettingValues;

const core = (def: Omit<SettingDefinition, 'owner' | 'secret'> & { key: CoreSettingKey; secret?: boolean }): SettingDefinition => ({ secret: false, ...def, owner: 'core' });

/**
 * Core settings: values an operator changes at runtime through the API. Start-up configuration
 * (ports, database, keys) stays in environment variables.
 */
export const CORE_SETTINGS: readonly SettingDefinition[] = [
  core({
    key: 'setup.completed',
    valueType: 'boolean',
    category: 'setup',
    description: 'Set once the first-run setup is done; `/api/v2/_internal/setup/status` reports it',
    default: false,
  }),
  core({
    key: 'services.heartbeat_interval_ms',
    valueType: 'integer',
    category: 'services',
    description: 'How often a registered internal service must send a heartbeat; it is dropped after three missed intervals',
    default: 30_000,
    schema: z.number().int().min(1_000).max(600_000),
  }),
  core({
    key: 'startup.delay_between_channels_ms',
    valueType: 'integer',
    category: 'startup',
    description: 'Pause a process manager should leave between starting two channel services (`channel-startup-info`)',
    default: 2_000,
    schema: z.number().int().min(0).max(600_000),
  }),
  core({
    key: 'startup.max_concurrent_connections',
    valueType: 'integer',
    category: 'startup',
    description: 'How many instances a process manager should connect at once (`channel-startup-info`)',
    default: 5,
    schema: z.number().int().min(1).max(1_000),
  }),
  core({
    key: 'startup.health_check_timeout_ms',
    valueType: 'integer',
    category: 'startup',
    description: 'How long a process manager should wait for a started service to report healthy (`channel-startup-info`)',
    default: 30_000,
    schema: z.number().int().min(1_000).max(600_000),
  }),
];
