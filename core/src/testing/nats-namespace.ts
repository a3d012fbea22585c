import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** A fresh namespace, so a test run's streams never mix with another's. */
export const uniqueNatsNamespace = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

/** Deletes every stream a namespace created (`<NS>_<DOMAIN>`). */
export async function deleteNatsNamespace(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const prefix = `${namespace.toUpperCase()}_`;
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(prefix)) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nc.close();
  }
}
