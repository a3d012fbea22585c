import { randomUUID } from 'node:crypto';
import { OmniError } from '@omni/plugin-sdk';

export const SERVICE_TYPES = ['channel', 'processor', 'worker'] as const;
export const SERVICE_HEALTH = ['healthy', 'degraded', 'unhealthy'] as const;

/** A service is dropped after this many heartbeat intervals without one. */
export const MISSED_HEARTBEATS = 3;

export interface ServiceRegistration {
  name: string;
  type: (typeof SERVICE_TYPES)[number];
  pid: number;
  port?: number;
  healthEndpoint?: string;
  capabilities?: { channels?: string[]; mediaTypes?: string[] };
  metadata?: Record<string, unknown>;
}

export interface RegisteredService extends ServiceRegistration {
  serviceId: string;
  status: (typeof SERVICE_HEALTH)[number];
  heartbeatIntervalMs: number;
  registeredAt: Date;
  lastHeartbeatAt: Date;
  metrics?: Record<string, number>;
}

/**
 * Helper processes on this machine (channel services, processors) that announced themselves over
 * the internal API. In memory: a restarted hub learns them again from their next registration.
 * A service that misses `MISSED_HEARTBEATS` intervals is gone; its heartbeats then get NOT_FOUND,
 * which tells it to register again.
 */
export class ServiceRegistry {
  readonly #services = new Map<string, RegisteredService>();

  constructor(private readonly now: () => number = Date.now) {}

  register(input: ServiceRegistration, heartbeatIntervalMs: number): RegisteredService {
    this.prune();
    const at = new Date(this.now());
    const service: RegisteredService = { ...input, serviceId: randomUUID(), status: 'healthy', heartbeatIntervalMs, registeredAt: at, lastHeartbeatAt: at };
    this.#services.set(service.serviceId, service);
    return service;
  }

  heartbeat(serviceId: string, status: RegisteredService['status'], metrics?: Record<string, number>): RegisteredService {
    const service = this.live(serviceId);
    service.status = status;
    service.lastHeartbeatAt = new Date(this.now());
    if (metrics) service.metrics = metrics;
    return service;
  }

  deregister(serviceId: string): RegisteredService {
    const service = this.live(serviceId);
    this.#services.delete(serviceId);
    return service;
  }

  list(): RegisteredService[] {
    this.prune();
    return [...this.#services.values()];
  }

  private live(serviceId: string): RegisteredService {
    this.prune();
    const service = this.#services.get(serviceId);
    if (!service) throw new OmniError('NOT_FOUND', `no registered service ${serviceId}: register again`);
    return service;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, s] of this.#services) if (now - s.lastHeartbeatAt.getTime() > s.heartbeatIntervalMs * MISSED_HEARTBEATS) this.#services.delete(id);
  }
}
