/** Test utilities shared by core's tests, the SDK test kit and the e2e suites. */
export { createScratchPostgres, type ScratchPostgres } from '../db/scratch-postgres.js';
export { requireServiceUrl, type RequiredService, type ServiceUrlVariable } from './require-service.js';
export { deleteNatsNamespace, uniqueNatsNamespace } from './nats-namespace.js';
