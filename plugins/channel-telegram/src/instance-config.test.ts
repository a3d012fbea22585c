import { describe, expect, it } from 'vitest';
import { DEFAULT_API_ROOT, telegramInstanceConfig } from './instance-config.js';

const token = '123456:ABC-def_ghi';

describe('telegram instance config', () => {
  it('fills in long polling against api.telegram.org', () => {
    expect(telegramInstanceConfig.parse({ botToken: token })).toMatchObject({ botToken: token, apiRoot: DEFAULT_API_ROOT, mode: 'polling', pollTimeoutSeconds: 30, dropPendingUpdates: false });
  });

  it('drops a trailing slash from apiRoot (grammY refuses one)', () => {
    expect(telegramInstanceConfig.parse({ botToken: token, apiRoot: 'http://127.0.0.1:8081/' }).apiRoot).toBe('http://127.0.0.1:8081');
  });

  it('refuses a malformed token', () => {
    expect(telegramInstanceConfig.safeParse({ botToken: 'not a token' }).success).toBe(false);
  });

  it('needs publicUrl and a webhookSecret in webhook mode', () => {
    const result = telegramInstanceConfig.safeParse({ botToken: token, mode: 'webhook' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['publicUrl', 'webhookSecret']);
    expect(telegramInstanceConfig.safeParse({ botToken: token, mode: 'webhook', publicUrl: 'https://omni.example.com', webhookSecret: 'short' }).success).toBe(false);
    expect(telegramInstanceConfig.safeParse({ botToken: token, mode: 'webhook', publicUrl: 'https://omni.example.com', webhookSecret: 'a-long-enough_secret-123' }).success).toBe(true);
  });
});
