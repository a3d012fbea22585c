import { connect } from '@nats-io/transport-node';
import { createScratchPostgres, deleteNatsNamespace, uniqueNatsNamespace, type ScratchPostgres } from '@omni/core/testing';

export interface ServicesEnv {
  /** The hub's environment for this mode. */
  env: Record<string, string>;
  scratch: ScratchPostgres;
  namespace: string;
  cleanup(): Promise<void>;
}

const withTimeout = <T>(what: string, ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref())]);

/**
 * A throw-away PostgreSQL database and NATS namespace for one hub, or the reason the services
 * mode cannot run (a server that does not answer).
 */
export async function prepareServices(databaseUrl: string, natsUrl: string): Promise<ServicesEnv | { skipped: string }> {
  try {
    const nc = await withTimeout(`NATS at ${natsUrl}`, 5_000, connect({ servers: natsUrl, timeout: 4_000 }));
    await nc.close();
  } catch (err) {
    return { skipped: `NATS at ${natsUrl} does not answer: ${(err as Error).message}` };
  }
  let scratch: ScratchPostgres;
  try {
    scratch = await withTimeout(`PostgreSQL at ${redact(databaseUrl)}`, 10_000, createScratchPostgres(databaseUrl));
  } catch (err) {
    return { skipped: `PostgreSQL at ${redact(databaseUrl)} does not answer: ${(err as Error).message}` };
  }
  const namespace = uniqueNatsNamespace('bench');
  return {
    env: { DATABASE_URL: scratch.url, NATS_URL: natsUrl, OMNI_NATS_NAMESPACE: namespace },
    scratch,
    namespace,
    cleanup: async () => {
      await Promise.allSettled([scratch.drop(), deleteNatsNamespace(natsUrl, namespace)]).then((results) => {
        for (const r of results) if (r.status === 'rejected') console.warn(`cleanup failed: ${(r.reason as Error).message}`);
      });
    },
  };
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  if (!URL.canParse(url)) return url;
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
