import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, waitFor, waitForConnectionState, type TestKernel } from '@omni/plugin-sdk/testing';
import { FakeWhatsAppWeb, trustFakeWhatsAppWeb, type FakeHistoryMessage } from '@omni/plugin-sdk/testing/whatsapp-web';
import type { KnownChat } from './chat-index.js';
import { selectChats } from './history-sync.js';
import plugin from './index.js';

/** How long a wait on the fake WhatsApp Web server (or a sync job) may take. */
const WAIT_MS = 20_000;

describe('selectChats (the whatsapp sync options)', () => {
  const chats: KnownChat[] = [
    { id: '15550100001@s.whatsapp.net' },
    { id: '88888888888@lid', alt: '15550100005@s.whatsapp.net' },
    { id: '120363000000000077@g.us' },
    { id: '1700000000123@broadcast' },
    { id: 'status@broadcast' },
  ];
  const ids = (options: Parameters<typeof selectChats>[1]) => selectChats(chats, options).map((c) => c.id);

  it('takes DMs and groups by default, broadcast lists only on request, status never', () => {
    expect(ids({})).toEqual(['15550100001@s.whatsapp.net', '88888888888@lid', '120363000000000077@g.us']);
    expect(ids({ includeGroups: false })).toEqual(['15550100001@s.whatsapp.net', '88888888888@lid']);
    expect(ids({ includeBroadcasts: true })).toEqual(['15550100001@s.whatsapp.net', '88888888888@lid', '120363000000000077@g.us', '1700000000123@broadcast']);
  });

  it('matches chatIds given as phone numbers or JIDs, also against the phone JID of a LID chat', () => {
    expect(ids({ chatIds: ['+1 555 010 0001', '15550100005'] })).toEqual(['15550100001@s.whatsapp.net', '88888888888@lid']);
    expect(ids({ chatIds: ['120363000000000077@g.us'], includeGroups: false })).toEqual([]);
  });
});

describe('POST /api/v2/instances/:id/sync against the fake WhatsApp Web server', () => {
  let tk: TestKernel;
  let fake: FakeWhatsAppWeb;
  let id: string;
  const PHONE = '15551239000';
  const A = '15550100001@s.whatsapp.net';
  const G = '120363000000000077@g.us';
  const B = '1700000000123@broadcast';
  const D = '15550100004@s.whatsapp.net';
  const now = Math.floor(Date.now() / 1000);
  const DAY = 86_400;
  const text = (id: string, timestamp: number, participant?: string): FakeHistoryMessage => ({ id, timestamp, message: { conversation: `text of ${id}` }, pushName: 'Someone', ...(participant ? { participant } : {}) });
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

  /** Starts a sync of the instance (default: the one linked first) through the API and waits until its job finished. */
  const sync = async (body: Record<string, unknown>, instanceId = id) => {
    const started = await tk.http.post(`/api/v2/instances/${instanceId}/sync`, body);
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('started');
    const status = await waitFor('the sync to finish', async () => {
      const s = (await tk.http.get(`/api/v2/instances/${instanceId}/sync/status`)).body;
      return s.jobId === started.body.jobId && !s.inProgress ? s : undefined;
    }, WAIT_MS);
    expect(status.error).toBeUndefined();
    return status;
  };
  /** Links the instance as `phone`: reads its QR from the API, lets the fake phone scan it, waits until connected. */
  const link = async (instanceId: string, phone: string) => {
    const qr = await waitFor('a QR code', async () => {
      const res = await tk.http.get(`/api/v2/instances/${instanceId}/qr`);
      return res.status === 200 ? (res.body as { qr: string }) : undefined;
    }, WAIT_MS);
    fake.scanQr(qr.qr, phone);
    await waitForConnectionState(tk, instanceId, 'connected', WAIT_MS);
  };
  const events = async () => {
    const res = await tk.http.get(`/api/v2/events?instanceId=${id}&limit=500`);
    expect(res.status).toBe(200);
    return res.body.items as Array<{ externalId: string | null; ingestMode: string; direction: string; chatId: string }>;
  };
  const storedIds = async () => new Set((await events()).map((e) => e.externalId));
  const requestsSince = (n: number) => fake.historyRequests.slice(n);

  beforeAll(async () => {
    fake = await FakeWhatsAppWeb.start({ qrRefs: 3 });
    await trustFakeWhatsAppWeb(fake);
    tk = await startTestKernel({ plugins: [plugin], kernel: { rateLimit: 0 } });
    const created = await tk.http.post('/api/v2/instances', { name: 'wa-sync', channel: 'whatsapp-baileys', channelConfig: { websocketUrl: fake.url, syncHistory: true } });
    expect(created.status).toBe(201);
    id = created.body.id;
    await link(id, PHONE);
    // The phone's older history, handed out only on request.
    fake.addHistory(PHONE, A, [1, 2, 3, 4, 5, 6].map((n) => text(`a${n}`, now - (7 - n) * DAY)));
    fake.addHistory(PHONE, G, [1, 2, 3].map((n) => text(`g${n}`, now - (4 - n) * DAY, `1555020000${n}@s.whatsapp.net`)));
    fake.addHistory(PHONE, B, [1, 2].map((n) => text(`b${n}`, now - (3 - n) * DAY, '15550300001@s.whatsapp.net')));
    fake.addHistory(PHONE, D, Array.from({ length: 60 }, (_, i) => text(`d${i + 1}`, now - 7200 - (60 - i) * 60)));
    // What the phone pushes after linking: the chats with their latest message (stored as history: syncHistory is on).
    fake.pushHistorySync(
      [
        { id: A, name: 'Ana', messages: [text('A-latest', now - 3600)] },
        { id: G, name: 'Team', messages: [text('G-latest', now - 3600, '15550200001@s.whatsapp.net')] },
        { id: B, name: 'Customers', messages: [text('B-latest', now - 3600, '15550300001@s.whatsapp.net')] },
        { id: D, messages: [text('D-latest', now - 3600)] },
      ],
      { toPhone: PHONE },
    );
    await waitFor('the pushed history stored', async () => {
      const stored = await storedIds();
      return ['A-latest', 'G-latest', 'B-latest', 'D-latest'].every((x) => stored.has(x));
    }, 30_000);
  }, 60_000);
  afterAll(async () => {
    await tk?.stop();
    await fake?.close();
  });

  it('stored the pushed history as history, never routed to the agent', async () => {
    const pushed = (await events()).filter((e) => e.externalId?.endsWith('-latest'));
    expect(pushed.map((e) => e.ingestMode)).toEqual(['history', 'history', 'history', 'history']);
    expect(pushed.every((e) => e.direction === 'inbound')).toBe(true);
  });

  it('chatIds and maxMessagesPerChat: only that chat, only its newest messages before the oldest one Omni has', async () => {
    const before = fake.historyRequests.length;
    const status = await sync({ whatsapp: { chatIds: ['+1 555 010 0001'], maxMessagesPerChat: 2 } });
    expect(status).toMatchObject({ chatsCount: 1, messagesCount: 2, progress: { stage: 'messages', current: 1, total: 1 } });
    expect(requestsSince(before)).toEqual([expect.objectContaining({ chatJid: A, count: 2, oldestMsgId: 'A-latest', answered: ['a5', 'a6'] })]);
    const stored = await storedIds();
    expect(['a5', 'a6'].every((x) => stored.has(x))).toBe(true);
    expect(['a4', 'g1', 'g2', 'g3', 'b1', 'b2', 'd60'].some((x) => stored.has(x))).toBe(false);
    const imported = (await events()).filter((e) => e.externalId === 'a5' || e.externalId === 'a6');
    expect(imported.map((e) => [e.ingestMode, e.chatId])).toEqual([
      ['history', A],
      ['history', A],
    ]);
  });

  it('since and until bound the import; groups are in and broadcasts out by default; a message already stored is not stored again', async () => {
    const before = fake.historyRequests.length;
    const status = await sync({ since: iso(now - 3.5 * DAY), until: iso(now - 1.5 * DAY) });
    // a4 is new, a5 was imported before; g1 and g2 are new; a6, g3 are after `until`, a3 before `since`
    expect(status).toMatchObject({ chatsCount: 3, messagesCount: 3 });
    expect(new Set(requestsSince(before).map((r) => r.chatJid))).toEqual(new Set([A, G, D]));
    const stored = await storedIds();
    expect(['a4', 'g1', 'g2'].every((x) => stored.has(x))).toBe(true);
    expect(['a3', 'a2', 'g3', 'b1', 'b2', 'd1', 'd60'].some((x) => stored.has(x))).toBe(false);
  });

  it('includeGroups: false drops a group even when named in chatIds; includeBroadcasts: true takes broadcast lists', async () => {
    const before = fake.historyRequests.length;
    const status = await sync({ whatsapp: { chatIds: [A, G, B], includeGroups: false, includeBroadcasts: true } });
    expect(status).toMatchObject({ chatsCount: 2, messagesCount: 5 });
    expect(requestsSince(before).map((r) => r.chatJid).sort()).toEqual([B, A].sort());
    const stored = await storedIds();
    expect(['a1', 'a2', 'a3', 'b1', 'b2'].every((x) => stored.has(x))).toBe(true);
    expect(stored.has('g3')).toBe(false);
    const b1 = (await events()).find((e) => e.externalId === 'b1');
    expect(b1).toMatchObject({ chatId: '15550300001@s.whatsapp.net', ingestMode: 'history' });
  });

  it('pages through a long chat 50 messages at a time, each page anchored at the oldest of the one before', async () => {
    const before = fake.historyRequests.length;
    const status = await sync({ whatsapp: { chatIds: [D], maxMessagesPerChat: 55 } });
    expect(status).toMatchObject({ chatsCount: 1, messagesCount: 55 });
    expect(requestsSince(before).map((r) => [r.count, r.oldestMsgId, r.answered.length])).toEqual([
      [50, 'D-latest', 50],
      [5, 'd11', 5],
    ]);
    const stored = await storedIds();
    expect(stored.has('d6') && stored.has('d60')).toBe(true);
    expect(stored.has('d5')).toBe(false);
  });

  it('re-running a sync stores nothing twice; counts and progress report the run', async () => {
    const all = { syncContacts: true, whatsapp: { includeBroadcasts: true } };
    const first = await sync(all);
    // only g3 and d1..d5 were still missing
    expect(first).toMatchObject({ chatsCount: 4, messagesCount: 6, progress: { stage: 'messages', current: 4, total: 4 } });
    // senders: A's and D's contact, 3 group members, 1 broadcast sender
    expect(first.contactsCount).toBe(6);
    const again = await sync(all);
    expect(again).toMatchObject({ chatsCount: 4, messagesCount: 0 });
    const counts = new Map<string, number>();
    for (const e of await events()) if (e.externalId) counts.set(e.externalId, (counts.get(e.externalId) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // 4 pushed + 6 + 3 + 60 + 2 older messages, each once
    expect(counts.size).toBe(75);
  });

  it('with syncHistory off (the default): chats seen in realtime can be synced, also after a restart', async () => {
    const phone = '15551239001';
    const E = '15550100009@s.whatsapp.net';
    const created = await tk.http.post('/api/v2/instances', { name: 'wa-sync-default', channel: 'whatsapp-baileys', channelConfig: { websocketUrl: fake.url } });
    const other = created.body.id as string;
    await link(other, phone);
    fake.addHistory(phone, E, [text('e1', now - 2 * DAY), text('e2', now - DAY)]);
    fake.pushMessage({ conversation: 'live' }, { id: 'E-live', from: E, toPhone: phone });
    await tk.events.waitFor('message.received', (e) => e.payload.message.externalId === 'E-live');

    const first = await sync({}, other);
    expect(first).toMatchObject({ chatsCount: 1, messagesCount: 2 });
    expect(first.error).toBeUndefined();
    expect(fake.historyRequests.at(-1)).toMatchObject({ phone, chatJid: E, oldestMsgId: 'E-live', answered: ['e1', 'e2'] });
    const res = await tk.http.get(`/api/v2/events?instanceId=${other}&limit=500`);
    const modes = Object.fromEntries((res.body.items as Array<{ externalId: string; ingestMode: string }>).map((e) => [e.externalId, e.ingestMode]));
    expect(modes).toEqual({ 'E-live': 'realtime', e1: 'history', e2: 'history' });

    // The chats survive a restart (they are kept in the plugin's store), so the next sync still knows E.
    await tk.kernel.plugins.disable(plugin.id);
    await tk.kernel.plugins.enable(plugin.id);
    await waitForConnectionState(tk, other, 'connected', WAIT_MS);
    await waitForConnectionState(tk, id, 'connected', WAIT_MS);
    const again = await sync({}, other);
    expect(again).toMatchObject({ chatsCount: 1, messagesCount: 0 });
    expect(fake.historyRequests.at(-1)).toMatchObject({ phone, chatJid: E, oldestMsgId: 'E-live' });
    await tk.http.post(`/api/v2/instances/${other}/disconnect`, {});
  });

  it('fails the job clearly when the instance is not connected', async () => {
    const created = await tk.http.post('/api/v2/instances', { name: 'wa-unlinked', channel: 'whatsapp-baileys', channelConfig: { websocketUrl: fake.url } });
    const other = created.body.id as string;
    await tk.http.post(`/api/v2/instances/${other}/disconnect`, {});
    const started = await tk.http.post(`/api/v2/instances/${other}/sync`, {});
    expect(started.status).toBe(202);
    const status = await waitFor('the job to fail', async () => {
      const s = (await tk.http.get(`/api/v2/instances/${other}/sync/status`)).body;
      return s.inProgress ? undefined : s;
    }, WAIT_MS);
    expect(status.error).toMatch(/not connected/);
    expect(status.messagesCount).toBe(0);
  });
});
