import { z } from 'zod';
import type { Kernel } from '../../kernel/create-kernel.js';

export const setupStatusSchema = z.object({
  setupRequired: z.boolean(),
  setupCompleted: z.boolean().describe('The `setup.completed` setting'),
  bootstrapMode: z.boolean().describe('First run: setup not completed and no instance yet'),
  checks: z.object({
    databaseConnected: z.boolean(),
    eventBusConnected: z.boolean(),
    apiKeyExists: z.boolean(),
    instancesExist: z.boolean(),
    settingsInitialized: z.boolean().describe('At least one setting has been set'),
  }),
  suggestedStep: z.enum(['database', 'api_keys', 'first_instance', 'complete']).optional(),
});

/** Whether the first-run setup still has to happen, and its next step (seed 001). */
export async function setupStatus(kernel: Kernel): Promise<z.input<typeof setupStatusSchema>> {
  const [database, eventBus] = await Promise.all([kernel.database.health(), kernel.events.health()]);
  // Without a database nothing else can be read; report that alone.
  const [keys, instances, settings, completed] = database.ok
    ? await Promise.all([kernel.apiKeys.count(), kernel.instanceRepository.listActive(), kernel.settings.list(), kernel.settings.get('setup.completed')])
    : [0, [], [], false];
  const checks = {
    databaseConnected: database.ok,
    eventBusConnected: eventBus.ok,
    apiKeyExists: keys > 0,
    instancesExist: instances.length > 0,
    settingsInitialized: settings.some((s) => s.isSet),
  };
  const suggestedStep = !checks.databaseConnected ? 'database' : !checks.apiKeyExists ? 'api_keys' : !checks.instancesExist ? 'first_instance' : 'complete';
  const setupRequired = !completed && suggestedStep !== 'complete';
  return {
    setupRequired,
    setupCompleted: completed,
    bootstrapMode: !completed && !checks.instancesExist,
    checks,
    ...(setupRequired ? { suggestedStep } : {}),
  };
}
