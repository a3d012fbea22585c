import type { MigrationObject } from '@mikro-orm/core';
import type { Dialect } from '../storage.js';
import { migrations as postgresql } from './postgresql/index.js';
import { migrations as sqlite } from './sqlite/index.js';

/** SQL differs per dialect, so each has its own committed, ordered set. */
export const migrationsByDialect: Record<Dialect, MigrationObject[]> = { sqlite, postgresql };
