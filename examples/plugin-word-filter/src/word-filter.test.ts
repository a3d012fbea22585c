import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '@omni/plugin-sdk';
import { startTestKernel, type TestKernel } from '@omni/plugin-sdk/testing';
import wordFilter from './index.js';

const inbound = (text: string): InboundMessage => ({ externalId: text, chatId: 'c', chatType: 'dm', sender: { id: 'u1' }, content: { type: 'text', text }, ingestMode: 'realtime' });
const context = { instanceId: 'i1', channel: 'webhook', eventId: 'e1', traceId: 't1' };

describe('word-filter example plugin', () => {
  let tk: TestKernel;
  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [wordFilter], config: { 'word-filter': { words: ['Spam'] } } });
  });
  afterAll(() => tk.stop());

  it('runs with its config', async () => {
    expect((await tk.http.get('/api/v2/plugins/word-filter')).body).toMatchObject({ status: 'running', kind: 'extension' });
  });

  it('vetoes messages containing a blocked word, case-insensitively', async () => {
    expect(await tk.hooks.callBail('message.access', { message: inbound('buy SPAM now'), context })).toEqual({ allowed: false, reason: "contains blocked word 'spam'" });
  });

  it('has no opinion on other messages', async () => {
    expect(await tk.hooks.callBail('message.access', { message: inbound('hello there'), context })).toBeUndefined();
  });

  it('stops vetoing once disabled', async () => {
    await tk.kernel.plugins.disable('word-filter');
    expect(await tk.hooks.callBail('message.access', { message: inbound('spam'), context })).toBeUndefined();
  });
});
