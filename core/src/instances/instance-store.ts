/** The persisted instance fields the kernel needs; the database repository provides them. */
export interface StoredInstance {
  id: string;
  name: string;
  channel: string;
  channelConfig: Record<string, unknown>;
  isActive: boolean;
  /** A deliberately disconnected instance stays disconnected, across restarts too. */
  desiredState: 'connected' | 'disconnected';
}

export interface InstanceStore {
  get(id: string): Promise<StoredInstance | null>;
  listActive(): Promise<StoredInstance[]>;
  update(id: string, patch: Partial<Pick<StoredInstance, 'desiredState' | 'isActive'>>): Promise<unknown>;
}
