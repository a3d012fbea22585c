import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from '../create-database.js';
import { PluginStateSchema, type PluginState } from '../entities/plugin-state.js';

/** Which plugins are enabled. Each method uses the given EntityManager or forks its own. */
export class PluginStateRepository {
  constructor(private readonly db: Database) {}

  get(id: string, em: EntityManager = this.db.fork()): Promise<PluginState | null> {
    return em.findOne(PluginStateSchema, { id });
  }

  async setEnabled(id: string, enabled: boolean, em: EntityManager = this.db.fork()): Promise<void> {
    await em.upsert(PluginStateSchema, { id, enabled, updatedAt: new Date() });
  }

  list(em: EntityManager = this.db.fork()): Promise<PluginState[]> {
    return em.find(PluginStateSchema, {}, { orderBy: { id: 'asc' } });
  }
}
