import type { Writable } from 'node:stream';
import type { Logger } from '@omni/plugin-sdk';
import { ApiKeyService } from '../auth/api-key-service.js';
import { AuditLog } from '../auth/audit-log.js';
import { API_SCOPES, type ApiScope } from '../auth/scopes.js';
import type { OmniConfig } from '../config.js';
import { createDatabase } from '../db/create-database.js';

export interface CreateKeyOptions {
  name: string;
  admin: boolean;
  scopes: string[];
  instanceIds: string[];
}

/** `omni keys create`: makes a key straight in the database (the way back in when every admin key is lost) and prints it once. */
export async function createKeyFromCli(config: OmniConfig, logger: Logger, opts: CreateKeyOptions, out: Writable): Promise<number> {
  const scopes = opts.admin ? ['*'] : opts.scopes;
  const unknown = scopes.filter((s) => !API_SCOPES.includes(s as ApiScope));
  if (scopes.length === 0 || unknown.length > 0) {
    out.write(`give --admin or --scope with known scopes (${API_SCOPES.join(', ')})${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}\n`);
    return 2;
  }
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    const audit = new AuditLog(database, logger);
    const keys = new ApiKeyService(database, audit);
    const { record, key } = await keys.create(
      { name: opts.name, scopes, instanceIds: opts.instanceIds.length ? opts.instanceIds : null },
      { ip: 'local', endpoint: 'cli: omni keys create' },
      { isAdmin: opts.admin },
    );
    out.write(`created API key '${record.name}' (${record.id}) with scopes ${scopes.join(', ')}\nkey (shown once, store it now): ${key}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
