/**
 * Child process: the RSS floor of the decided stack. Plain node (no TypeScript loader) importing
 * the libraries the hub loads at start in embedded mode (HTTP, DI, validation, logging, the ORM
 * with its SQLite driver and migrator) and opening one SQLite connection; no Omni code at all.
 * Whatever the hub idles at above this figure is Omni's own.
 */
await Promise.all(['koa', '@koa/router', 'awilix', 'zod', 'pino', '@mikro-orm/core', '@mikro-orm/libsql', '@mikro-orm/migrations'].map((m) => import(m)));
const { default: Database } = await import('libsql');
const db = new Database(':memory:');
db.exec('select 1');
globalThis.gc?.();
setInterval(() => db, 60_000);
console.log(JSON.stringify({ ready: 'stack-floor' }));
process.once('SIGTERM', () => process.exit(0));
