import { randomUUID } from 'node:crypto';
import { OmniError, type Logger, type SyncProgress, type SyncRequest } from '@omni/plugin-sdk';
import { requireMethod, type ResolvedChannel } from './channel-access.js';

export interface SyncStatus {
  jobId: string | null;
  inProgress: boolean;
  lastSync: string | null;
  contactsCount: number;
  chatsCount: number;
  messagesCount: number;
  progress?: SyncProgress;
  error?: string;
}

const idle = (): SyncStatus => ({ jobId: null, inProgress: false, lastSync: null, contactsCount: 0, chatsCount: 0, messagesCount: 0 });

/** History imports (`POST /instances/:id/sync`): one running job per instance, its progress kept in memory. */
export class SyncJobs {
  private readonly states = new Map<string, SyncStatus>();

  constructor(private readonly logger: Logger) {}

  start(resolved: ResolvedChannel, request: SyncRequest): { jobId: string; status: 'started' } {
    const sync = requireMethod(resolved, 'sync', 'import history');
    const instanceId = resolved.instance.id;
    const previous = this.status(instanceId);
    if (previous.inProgress) throw new OmniError('CONFLICT', `a sync is already running for this instance (job ${previous.jobId})`);
    const jobId = randomUUID();
    const state: SyncStatus = { ...previous, jobId, inProgress: true, progress: undefined, error: undefined };
    this.states.set(instanceId, state);
    void sync(instanceId, request, (progress) => {
      state.progress = progress;
    })
      .then((report) => Object.assign(state, report, { lastSync: new Date().toISOString() }))
      .catch((err: unknown) => {
        state.error = err instanceof Error ? err.message : String(err);
        this.logger.warn({ instanceId, jobId, err: state.error }, 'sync failed');
      })
      .finally(() => {
        state.inProgress = false;
      });
    return { jobId, status: 'started' };
  }

  status(instanceId: string): SyncStatus {
    return this.states.get(instanceId) ?? idle();
  }

  forget(instanceId: string): void {
    this.states.delete(instanceId);
  }
}
