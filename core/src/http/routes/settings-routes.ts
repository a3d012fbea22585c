import type { Context } from 'koa';
import { z } from 'zod';
import { OmniError, SETTING_VALUE_TYPES } from '@omni/plugin-sdk';
import type { ChangeAuthor } from '../../settings/setting-store.js';
import { isSecretSetting } from '../../settings/setting-definition.js';
import { settingsJsonSchema, settingValueJsonSchema, shownDefault } from '../../settings/settings-json-schema.js';
import type { SettingHistoryView, SettingsService, SettingView } from '../../settings/settings-service.js';
import { queryLimit } from '../query-params.js';
import { defineRoute, type RouteDefinition } from '../route.js';

const isoDate = z.iso.datetime();
const keyParam = z.object({ key: z.string().min(1).max(255) });
const reason = z.string().max(500).optional().describe('Why: recorded in the history');
const present = (v: unknown) => v !== undefined;

export const settingSchema = z.object({
  key: z.string(),
  value: z.unknown().describe('The current value (stored, else the default; null when neither); secrets masked'),
  valueType: z.enum(SETTING_VALUE_TYPES),
  category: z.string(),
  description: z.string(),
  isSecret: z.boolean(),
  isSet: z.boolean().describe('False: the default applies'),
  isRequired: z.boolean(),
  defaultValue: z.unknown(),
  updatedAt: isoDate.nullable(),
});

export const settingHistoryEntrySchema = z.object({
  id: z.number().int(),
  oldValue: z.unknown().describe('Null: the default applied; secrets masked'),
  newValue: z.unknown().describe('Null: reset to the default; secrets masked'),
  changedBy: z.string().nullable().describe('Name of the API key that made the change'),
  changedById: z.string().nullable(),
  changedAt: isoDate,
  reason: z.string().nullable(),
  ip: z.string().nullable(),
});

export const settingsSchemaResponse = z.object({
  schema: z.record(z.string(), z.unknown()).describe('JSON Schema of an object holding every setting by key'),
  items: z.array(
    z.object({
      key: z.string(),
      valueType: z.enum(SETTING_VALUE_TYPES),
      category: z.string(),
      description: z.string(),
      isSecret: z.boolean(),
      isRequired: z.boolean(),
      default: z.unknown().optional(),
      owner: z.string().describe('`core` or the contributing plugin id'),
      schema: z.record(z.string(), z.unknown()).describe('JSON Schema of the value'),
    }),
  ),
});

const putBody = z.strictObject({ value: z.unknown().refine(present, 'value is required'), reason });
const changeItem = z.strictObject({ key: z.string().min(1).max(255), value: z.unknown().refine(present, 'value is required') });
const patchBody = z.strictObject({
  settings: z
    .union([z.array(changeItem).min(1).max(200), z.record(z.string().min(1).max(255), z.unknown())])
    .describe('`[{key, value}]`, or `{key: value}` as in v1'),
  reason,
});

const toDto = (v: SettingView): z.input<typeof settingSchema> => ({ ...v, updatedAt: v.updatedAt?.toISOString() ?? null });
const toHistoryDto = ({ key: _key, ...h }: SettingHistoryView): z.input<typeof settingHistoryEntrySchema> => ({ ...h, changedAt: h.changedAt.toISOString() });

/** Who changed a setting: the API key authentication put on the request, its address, the reason given. */
export function changeAuthor(ctx: Context, why: string | undefined): ChangeAuthor {
  // `auth` is set by the API key guard; `apiKey` is accepted too, for other middleware.
  const state = ctx.state as { auth?: { id?: unknown; name?: unknown }; apiKey?: { id?: unknown; name?: unknown } };
  const key = state.auth ?? state.apiKey;
  const actor = key && typeof key.id === 'string' ? { id: key.id, name: typeof key.name === 'string' ? key.name : key.id } : null;
  return { actor, reason: why ?? null, ip: ctx.ip || null };
}

const encodeCursor = (key: string) => Buffer.from(JSON.stringify([key])).toString('base64url');
function decodeCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  } catch {
    // reported below
  }
  throw new OmniError('VALIDATION_ERROR', 'invalid cursor');
}

/** `/api/v2/settings`: runtime settings, their history and their schema. */
export const settingsRoutes = ({ settings }: { settings: SettingsService }): RouteDefinition[] => [
  defineRoute({
    method: 'get',
    path: '/api/v2/settings',
    summary: 'Every known setting with its current value (secrets masked), sorted by key',
    tags: ['settings'],
    query: z.object({ category: z.string().min(1).max(64).optional(), limit: queryLimit(500, 100), cursor: z.string().max(512).optional() }),
    response: z.object({ items: z.array(settingSchema), meta: z.object({ cursor: z.string().nullable(), hasMore: z.boolean() }) }),
    handler: async ({ query }) => {
      const page = await settings.list({ category: query.category, limit: query.limit + 1, ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}) });
      const items = page.slice(0, query.limit);
      const hasMore = page.length > query.limit;
      return { items: items.map(toDto), meta: { cursor: hasMore ? encodeCursor(items.at(-1)!.key) : null, hasMore } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/settings/schema',
    summary: 'The JSON Schema of every known setting, core and plugin-contributed',
    tags: ['settings'],
    response: settingsSchemaResponse,
    handler: () => {
      const defs = settings.registry.list();
      return {
        schema: settingsJsonSchema(defs),
        items: defs.map((d) => {
          const shown = shownDefault(d);
          return {
            key: d.key,
            valueType: d.valueType,
            category: d.category,
            description: d.description,
            isSecret: isSecretSetting(d),
            isRequired: isSecretSetting(d) && d.default === undefined,
            ...(shown === undefined ? {} : { default: shown }),
            owner: d.owner,
            schema: settingValueJsonSchema(d),
          };
        }),
      };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v2/settings',
    summary: 'Set several settings at once: all are validated first, then stored together or not at all',
    tags: ['settings'],
    body: patchBody,
    response: z.object({ items: z.array(settingSchema) }),
    handler: async ({ body, ctx }) => {
      const changes = Array.isArray(body.settings) ? body.settings : Object.entries(body.settings).map(([key, value]) => ({ key, value }));
      if (changes.length === 0 || changes.length > 200) throw new OmniError('VALIDATION_ERROR', 'give between 1 and 200 settings');
      return { items: (await settings.setMany(changes, changeAuthor(ctx, body.reason))).map(toDto) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/settings/:key',
    summary: 'One setting (secrets masked)',
    tags: ['settings'],
    params: keyParam,
    response: settingSchema,
    handler: async ({ params }) => toDto(await settings.view(params.key)),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v2/settings/:key',
    summary: "Set a setting; the value must pass the setting's schema. A secret sent back masked is left unchanged",
    tags: ['settings'],
    params: keyParam,
    body: putBody,
    response: settingSchema,
    handler: async ({ params, body, ctx }) => toDto(await settings.set(params.key, body.value, changeAuthor(ctx, body.reason))),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v2/settings/:key',
    summary: 'Remove the stored value: the default applies again',
    tags: ['settings'],
    params: keyParam,
    query: z.object({ reason }),
    response: z.object({ success: z.literal(true) }),
    handler: async ({ params, query, ctx }) => {
      await settings.reset(params.key, changeAuthor(ctx, query.reason));
      return { success: true as const };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/settings/:key/history',
    summary: 'Changes of a setting, newest first (secrets masked)',
    tags: ['settings'],
    params: keyParam,
    query: z.object({ limit: queryLimit(500, 50), since: isoDate.optional() }),
    response: z.object({ items: z.array(settingHistoryEntrySchema) }),
    handler: async ({ params, query }) => ({
      items: (await settings.history(params.key, { limit: query.limit, ...(query.since ? { since: new Date(query.since) } : {}) })).map(toHistoryDto),
    }),
  }),
];
