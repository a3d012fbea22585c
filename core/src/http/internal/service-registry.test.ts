import { describe, expect, it } from 'vitest';
import { expectOmniError } from '../../testing/expect-omni-error.js';
import { MISSED_HEARTBEATS, ServiceRegistry } from './service-registry.js';

describe('service registry', () => {
  const registration = { name: 'channel-discord', type: 'channel' as const, pid: 4242 };

  it('keeps a service while it sends heartbeats and drops it after three missed intervals', async () => {
    let now = 1_000_000;
    const registry = new ServiceRegistry(() => now);
    const service = registry.register(registration, 1_000);
    expect(registry.list().map((s) => s.serviceId)).toEqual([service.serviceId]);

    now += 2_500;
    expect(registry.heartbeat(service.serviceId, 'degraded', { cpu: 3 })).toMatchObject({ status: 'degraded', metrics: { cpu: 3 } });
    now += 1_000 * MISSED_HEARTBEATS;
    expect(registry.list()).toHaveLength(1);
    now += 1;
    expect(registry.list()).toEqual([]);
    await expectOmniError(Promise.resolve().then(() => registry.heartbeat(service.serviceId, 'healthy')), 'NOT_FOUND');
  });

  it('deregisters once', async () => {
    const registry = new ServiceRegistry();
    const a = registry.register(registration, 30_000);
    const b = registry.register({ ...registration, pid: 4243 }, 30_000);
    expect(a.serviceId).not.toBe(b.serviceId);
    registry.deregister(a.serviceId);
    expect(registry.list().map((s) => s.pid)).toEqual([4243]);
    await expectOmniError(Promise.resolve().then(() => registry.deregister(a.serviceId)), 'NOT_FOUND');
  });
});
