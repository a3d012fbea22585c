import type { AwilixContainer } from 'awilix';
import { OmniError, type Logger, type PluginDefinition, type PluginKind, type PluginRuntime } from '@omni/plugin-sdk';
import type { KindRegistrar } from './kind-registrar.js';
import { pluginError, type PluginError } from './plugin-errors.js';
import { orderByDependencies } from './plugin-order.js';
import { KNOWN_PLUGIN_SERVICES, createPluginScope, type PluginScope, type PluginServiceDeps } from './plugin-services.js';
import { checkCandidate } from './plugin-validation.js';
import { TimeoutError, withTimeout } from './with-timeout.js';

export type PluginStatus = 'loaded' | 'starting' | 'running' | 'failed' | 'disabled' | 'stopping' | 'stopped';

export interface PluginCandidate {
  definition?: unknown;
  /** Set when importing the plugin's module failed. */
  loadError?: string;
  /** Where it came from: `builtin:@omni/channel-webhook`, a package name or a path. */
  source: string;
}

export interface PluginInfo {
  id: string;
  version?: string;
  kind?: PluginKind;
  description?: string;
  source: string;
  status: PluginStatus;
  enabled: boolean;
  dependsOn: string[];
  error?: PluginError;
  startedAt?: string;
}

interface PluginRecord extends PluginInfo {
  definition?: PluginDefinition;
  config?: unknown;
  runtime?: PluginRuntime;
  scope?: PluginScope;
}

export interface PluginStateStore {
  /** The persisted enabled flag, or undefined when never set. */
  isEnabled(pluginId: string): Promise<boolean | undefined>;
  setEnabled(pluginId: string, enabled: boolean): Promise<void>;
}

export interface PluginManagerOptions {
  container: AwilixContainer<PluginServiceDeps>;
  /** What to do with each kind's setup result (register a channel, a provider, …). */
  registrars: Partial<Record<PluginKind, KindRegistrar>>;
  logger: Logger;
  states: PluginStateStore;
  pluginConfig?: Record<string, unknown>;
  /** Plugin ids disabled by configuration (OMNI_DISABLED_PLUGINS), whatever the stored state says. */
  disabled?: readonly string[];
  setupTimeoutMs?: number;
  stopTimeoutMs?: number;
  onStatus?: (info: PluginInfo) => void;
  /** Takes the settings a valid plugin declares; a returned problem rejects the plugin. */
  registerSettings?: (definition: PluginDefinition) => PluginError | undefined;
}

/**
 * Loads, validates, orders, starts and stops plugins. Every check runs before any plugin
 * code; a failing plugin is recorded with its error and the others go on.
 */
export class PluginManager {
  private readonly records = new Map<string, PluginRecord>();
  /** Ids in the order they reached `running`; stopped in reverse. */
  private startOrder: string[] = [];
  private lifecycle: Promise<unknown> = Promise.resolve();
  private readonly setupTimeoutMs: number;
  private readonly stopTimeoutMs: number;

  constructor(private readonly options: PluginManagerOptions) {
    this.setupTimeoutMs = options.setupTimeoutMs ?? 10_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  }

  /** Validates every candidate. Nothing runs yet. */
  async load(candidates: readonly PluginCandidate[]): Promise<void> {
    for (const candidate of candidates) {
      const check = checkCandidate(candidate, this.options.pluginConfig, KNOWN_PLUGIN_SERVICES);
      const def = check.definition;
      const base = { id: check.id, version: def?.version, kind: def?.kind, description: def?.description, source: candidate.source, dependsOn: [...(def?.dependsOn ?? [])], enabled: true };
      const existing = this.records.get(check.id);
      if (existing) {
        const error = pluginError('PLUGIN_DUPLICATE_ID', `plugin id '${check.id}' from ${candidate.source} is already provided by ${existing.source}`);
        this.addRecord({ ...base, id: `${check.id}@${candidate.source}`, status: 'failed', error });
        continue;
      }
      if (!def || check.error) {
        this.addRecord({ ...base, definition: def, status: 'failed', error: check.error });
        continue;
      }
      const settingsProblem = this.options.registerSettings?.(def);
      if (settingsProblem) {
        this.addRecord({ ...base, definition: def, status: 'failed', error: settingsProblem });
        continue;
      }
      const enabled = !(this.options.disabled ?? []).includes(def.id) && (await this.options.states.isEnabled(def.id)) !== false;
      this.addRecord({ ...base, definition: def, config: check.config, enabled, status: enabled ? 'loaded' : 'disabled' });
    }
  }

  /** Starts every loaded, not yet started plugin, each after its dependencies; independent plugins start concurrently. */
  startAll(): Promise<void> {
    return this.serialize(async () => {
      const candidates = [...this.records.values()].filter((r) => r.definition && r.status !== 'failed');
      const { order, rejected } = orderByDependencies(candidates.map((r) => ({ id: r.id, dependsOn: r.dependsOn })));
      for (const [id, error] of rejected) this.fail(this.records.get(id)!, error);
      const started = new Map<string, Promise<void>>();
      for (const id of order) {
        const rec = this.records.get(id)!;
        // Plugins already running (or disabled) keep their state; only freshly loaded ones start.
        started.set(id, Promise.all(rec.dependsOn.map((d) => started.get(d))).then(() => (rec.status === 'loaded' ? this.startRecord(rec) : undefined)));
      }
      await Promise.all(started.values());
    });
  }

  /** Stops every running plugin in reverse start order. */
  stopAll(): Promise<void> {
    return this.serialize(async () => {
      for (const id of [...this.startOrder].reverse()) await this.stopRecord(this.records.get(id)!, 'stopped');
    });
  }

  /** Stops the plugin (and, first, the running plugins that depend on it) and remembers it as disabled. */
  disable(id: string): Promise<PluginInfo> {
    return this.serialize(async () => {
      const rec = this.require(id);
      await this.options.states.setEnabled(id, false);
      rec.enabled = false;
      for (const dep of this.dependentsOf(id).reverse()) {
        const d = this.records.get(dep)!;
        if (d.status === 'running') await this.stopRecord(d, 'stopped', pluginError('PLUGIN_DEPENDENCY_NOT_RUNNING', `stopped because '${id}' was disabled`));
      }
      if (rec.status === 'running') await this.stopRecord(rec, 'disabled');
      else if (rec.status !== 'failed') this.setStatus(rec, 'disabled');
      return this.info(rec);
    });
  }

  /** Re-enables the plugin, starts it, then restarts the plugins stopped because of it. */
  enable(id: string): Promise<PluginInfo> {
    return this.serialize(async () => {
      const rec = this.require(id);
      await this.options.states.setEnabled(id, true);
      rec.enabled = true;
      if (rec.definition && (rec.status === 'disabled' || rec.status === 'stopped')) {
        await this.startRecord(rec);
        for (const dep of this.dependentsOf(id)) {
          const d = this.records.get(dep)!;
          if (d.enabled && d.status === 'stopped') await this.startRecord(d);
        }
      }
      return this.info(rec);
    });
  }

  list(): PluginInfo[] {
    return [...this.records.values()].map((r) => this.info(r));
  }

  get(id: string): PluginInfo | undefined {
    const rec = this.records.get(id);
    return rec && this.info(rec);
  }

  private async startRecord(rec: PluginRecord): Promise<void> {
    const def = rec.definition!;
    if (!rec.enabled) return this.setStatus(rec, 'disabled');
    const notRunning = rec.dependsOn.find((d) => this.records.get(d)?.status !== 'running');
    if (notRunning) {
      const depStatus = this.records.get(notRunning)?.status;
      const err = pluginError('PLUGIN_DEPENDENCY_NOT_RUNNING', `plugin '${rec.id}' needs '${notRunning}', which is ${depStatus ?? 'absent'}`);
      return depStatus === 'failed' ? this.fail(rec, err) : this.setStatus(rec, 'stopped', err);
    }
    this.setStatus(rec, 'starting');
    const scope = createPluginScope(this.options.container, def.id, def.services ?? []);
    const timeoutMs = def.setupTimeoutMs ?? this.setupTimeoutMs;
    const setup = Promise.resolve().then(() => def.setup({ pluginId: def.id, config: rec.config, services: scope.services as never }));
    let runtime: PluginRuntime;
    try {
      runtime = (await withTimeout(setup, timeoutMs)) ?? {};
    } catch (err) {
      await scope.dispose();
      if (err instanceof TimeoutError) {
        // The setup may still finish later: stop whatever it started then.
        setup.then((late) => late?.stop?.()).catch(() => undefined);
        return this.fail(rec, pluginError('PLUGIN_SETUP_TIMEOUT', `plugin '${rec.id}' did not finish setup within ${timeoutMs} ms`));
      }
      return this.fail(rec, pluginError('PLUGIN_SETUP_FAILED', `plugin '${rec.id}' setup failed: ${errorMessage(err)}`));
    }
    const registrar = this.options.registrars[def.kind];
    if (registrar) {
      const problem = await registrar.register(def, runtime);
      if (problem) {
        await Promise.resolve(runtime.stop?.()).catch(() => undefined);
        await scope.dispose();
        return this.fail(rec, problem);
      }
    }
    rec.runtime = runtime;
    rec.scope = scope;
    rec.startedAt = new Date().toISOString();
    delete rec.error;
    this.startOrder = [...this.startOrder.filter((i) => i !== rec.id), rec.id];
    this.setStatus(rec, 'running');
  }

  private async stopRecord(rec: PluginRecord, final: 'stopped' | 'disabled', reason?: PluginError): Promise<void> {
    if (rec.status !== 'running') return;
    this.setStatus(rec, 'stopping');
    let stopError: PluginError | undefined;
    try {
      await this.options.registrars[rec.kind!]?.unregister(rec.id);
      await withTimeout(Promise.resolve().then(() => rec.runtime?.stop?.()), this.stopTimeoutMs);
    } catch (err) {
      stopError = pluginError('PLUGIN_STOP_FAILED', `plugin '${rec.id}' failed to stop cleanly: ${errorMessage(err)}`);
      this.options.logger.error({ plugin: rec.id, err }, 'plugin stop failed');
    }
    await rec.scope?.dispose();
    delete rec.runtime;
    delete rec.scope;
    this.startOrder = this.startOrder.filter((i) => i !== rec.id);
    this.setStatus(rec, final, reason ?? stopError);
  }

  /** Running-or-not plugins that depend on `id`, directly or not, nearest first. */
  private dependentsOf(id: string): string[] {
    const out: string[] = [];
    const visit = (target: string) => {
      for (const r of this.records.values()) {
        if (r.dependsOn.includes(target) && !out.includes(r.id)) {
          out.push(r.id);
          visit(r.id);
        }
      }
    };
    visit(id);
    return out;
  }

  private require(id: string): PluginRecord {
    const rec = this.records.get(id);
    if (!rec) throw new OmniError('NOT_FOUND', `no plugin '${id}'`);
    return rec;
  }

  private addRecord(rec: PluginRecord) {
    this.records.set(rec.id, rec);
    if (rec.status === 'failed') this.options.logger.error({ plugin: rec.id, error: rec.error }, 'plugin rejected');
    this.options.onStatus?.(this.info(rec));
  }

  private fail(rec: PluginRecord, error: PluginError) {
    this.options.logger.error({ plugin: rec.id, error }, 'plugin failed');
    this.setStatus(rec, 'failed', error);
  }

  private setStatus(rec: PluginRecord, status: PluginStatus, error?: PluginError) {
    rec.status = status;
    if (error) rec.error = error;
    else if (status !== 'failed') delete rec.error;
    if (status !== 'starting' && status !== 'stopping') this.options.logger.info({ plugin: rec.id, status }, `plugin ${status}`);
    this.options.onStatus?.(this.info(rec));
  }

  private info(rec: PluginRecord): PluginInfo {
    const { definition: _d, config: _c, runtime: _r, scope: _s, ...info } = rec;
    return { ...info, dependsOn: [...info.dependsOn] };
  }

  /** Lifecycle operations never interleave. */
  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(op, op);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
