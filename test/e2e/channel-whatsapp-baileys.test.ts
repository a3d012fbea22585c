import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWhatsAppWeb, processEnvForFakeWhatsAppWeb } from '@omni/plugin-sdk/testing/whatsapp-web';
import { FINISHED_STATUSES, omniApi } from '../support/omni-api.js';
import { startOmniWithEcho, type OmniWithEcho } from '../support/omni-with-echo.js';
import { waitFor } from '../support/wait-for.js';

/**
 * WhatsApp (Baileys) end to end: the real `omni start` process, the echo agent, and the fake
 * WhatsApp Web server standing in for WhatsApp. The child process trusts the fake's test Noise
 * root and media certificate through a preload and NODE_EXTRA_CA_CERTS; everything else goes
 * through the public HTTP API.
 */
describe('WhatsApp (Baileys) channel end to end', () => {
  const PHONE = '15551239999';
  const ANA = '15550001111';
  const WAIT_MS = 20_000;
  let fake: FakeWhatsAppWeb;
  let hub: OmniWithEcho;
  let instanceId: string;

  const { api, get, status: statusOf, waitForState: waitForStateOf, inboundEvent: listedInbound } = omniApi(() => hub.omni);
  const status = () => statusOf(instanceId);
  const waitForState = (state: string) => waitForStateOf(instanceId, state, WAIT_MS);
  /** The inbound event once it has finished, whatever its status: each test asserts the status it expects. */
  const inboundEvent = (externalId: string) => listedInbound(instanceId, externalId, { statuses: FINISHED_STATUSES, timeoutMs: WAIT_MS });
  const replyFor = (traceId: string) =>
    waitFor(`reply to ${traceId}`, async () => {
      const list = await get(`/api/v2/events?instanceId=${instanceId}&direction=outbound&limit=100`);
      return (list.items as Array<{ traceId: string; status: string; externalId: string; textContent?: string }>).find((e) => e.traceId === traceId && e.status === 'sent');
    }, WAIT_MS);
  /** Closes the session with `close`; expects `state` with a non-retryable `code`, and no reconnect attempt in the 1.5 s after. */
  const expectStaysDown = async (close: () => void, state: string, code: string) => {
    const connections = fake.connections.length;
    close();
    const down = await waitForState(state);
    expect(down.error).toMatchObject({ code, retryable: false });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fake.connections).toHaveLength(connections);
  };

  beforeAll(async () => {
    fake = await FakeWhatsAppWeb.start();
    hub = await startOmniWithEcho('whatsapp-baileys', { env: (dataDir) => processEnvForFakeWhatsAppWeb(fake, dataDir) });
  }, 90_000);
  afterAll(async () => {
    await hub?.close();
    await fake?.close();
  });

  it('pairs by QR: GET /qr returns the code and its expiry, the phone scans it, the instance connects', async () => {
    const created = await api('POST', '/api/v2/instances', {
      name: 'whatsapp-e2e',
      channel: 'whatsapp-baileys',
      channelConfig: { websocketUrl: fake.url, reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 } },
      agent: { apiUrl: hub.echo.url },
    });
    expect(created.status, created.raw).toBe(201);
    instanceId = created.body.id;
    const qr = await waitFor('a QR code', async () => {
      const res = await api('GET', `/api/v2/instances/${instanceId}/qr`);
      return res.status === 200 ? (res.body as { qr: string; expiresAt: string }) : undefined;
    }, WAIT_MS);
    expect(qr.qr).toMatch(/linked_devices#2@/);
    expect(Date.parse(qr.expiresAt)).toBeGreaterThan(Date.now());
    fake.scanQr(qr.qr, PHONE);
    const connected = await waitForState('connected');
    expect(connected.account).toEqual({ id: `+${PHONE}` });
    expect(fake.registrations).toHaveLength(1);
    expect(fake.logins.map((c) => c.phone)).toEqual([PHONE]);
  });

  it('answers an inbound message through the echo agent; the reply stanza reaches the fake', async () => {
    fake.pushMessage({ conversation: 'hello from whatsapp' }, { id: 'E2E-1', from: `${ANA}@s.whatsapp.net`, pushName: 'Ana' });
    const inbound = await inboundEvent('E2E-1');
    expect(inbound.status).toBe('sent');
    const reply = await replyFor(inbound.traceId);
    expect(reply.textContent).toBe('Echo: hello from whatsapp');
    const stanza = await fake.nextStanza((s) => s.id === reply.externalId);
    expect(stanza).toMatchObject({ to: `${ANA}@s.whatsapp.net`, type: 'text' });
    // the fake decrypts what Ana's phone would read
    expect(stanza.content?.extendedTextMessage?.text ?? stanza.content?.conversation).toBe('Echo: hello from whatsapp');
  });

  it('matches a LID sender by a phone-number allow rule', async () => {
    const denyAll = await api('POST', '/api/v2/access/rules', { instanceId, type: 'deny', criteria: { platformUserId: '*' }, priority: 0, reason: 'closed beta' });
    expect(denyAll.status, denyAll.raw).toBe(201);
    const allow = await api('POST', '/api/v2/access/rules', { instanceId, type: 'allow', criteria: { phone: '+15550003333' }, priority: 10 });
    expect(allow.status, allow.raw).toBe(201);
    const lidAttrs = (pn: string) => ({ sender_pn: `${pn}@s.whatsapp.net`, addressing_mode: 'lid' });
    fake.pushMessage({ conversation: 'lid allowed' }, { id: 'E2E-LID-1', from: '88888888888@lid', attrs: lidAttrs('15550003333') });
    fake.pushMessage({ conversation: 'lid denied' }, { id: 'E2E-LID-2', from: '77777777777@lid', attrs: lidAttrs('15550004444') });
    const allowed = await inboundEvent('E2E-LID-1');
    expect(allowed.status).toBe('sent');
    const reply = await replyFor(allowed.traceId);
    expect(await fake.nextStanza((s) => s.id === reply.externalId)).toMatchObject({ to: '15550003333@s.whatsapp.net' });
    const denied = await inboundEvent('E2E-LID-2');
    expect(denied.status).toBe('blocked');
    await api('DELETE', `/api/v2/access/rules/${denyAll.body.id}`);
    await api('DELETE', `/api/v2/access/rules/${allow.body.id}`);
  });

  it('round-trips media: inbound image stored and served, outbound document uploaded intact and readable', async () => {
    const picture = Buffer.from('a tiny picture, as bytes');
    await fake.pushMedia('image', picture, { mimetype: 'image/jpeg', caption: 'look' }, { id: 'E2E-IMG-1', from: `${ANA}@s.whatsapp.net` });
    await inboundEvent('E2E-IMG-1');
    const stored = await api('GET', `/api/v2/instances/${instanceId}/messages/E2E-IMG-1/media`);
    expect(stored.status, stored.raw).toBe(200);
    expect(stored.body).toMatchObject({ mimetype: 'image/jpeg', size: picture.length, mediaStatus: 'downloaded' });
    expect(Buffer.from(stored.body.base64, 'base64').equals(picture)).toBe(true);

    const uploads = fake.media.uploads.length;
    const sent = await api('POST', '/api/v2/messages/media', { instanceId, to: `+${ANA}`, type: 'document', base64: Buffer.from('%PDF-1.4 e2e').toString('base64'), mimeType: 'application/pdf', filename: 'e2e.pdf' });
    expect(sent.status, sent.raw).toBe(200);
    const stanza = await fake.nextStanza((s) => s.id === sent.body.externalMessageId);
    expect(stanza).toMatchObject({ to: `${ANA}@s.whatsapp.net`, type: 'media', mediaType: 'document' });
    expect(stanza.content?.documentMessage).toMatchObject({ fileName: 'e2e.pdf', mimetype: 'application/pdf' });
    expect(fake.media.uploads).toHaveLength(uploads + 1);
    expect(fake.media.uploads.at(-1)!.intact).toBe(true);
  });

  it('comes back after a process restart from the stored session, without a new QR', async () => {
    await hub.restart();
    await waitForState('connected');
    expect(fake.registrations).toHaveLength(1);
    expect(fake.logins.filter((c) => c.phone === PHONE)).toHaveLength(2);
    fake.pushMessage({ conversation: 'still there?' }, { id: 'E2E-2', from: `${ANA}@s.whatsapp.net` });
    expect((await inboundEvent('E2E-2')).status).toBe('sent');
  });

  it('imports a chat\'s older messages on POST /sync: stored as history, never answered by the agent', async () => {
    const ana = `${ANA}@s.whatsapp.net`;
    const yesterday = Math.floor(Date.now() / 1000) - 86_400;
    fake.addHistory(PHONE, ana, [
      { id: 'E2E-H1', timestamp: yesterday - 60, message: { conversation: 'older 1' }, pushName: 'Ana' },
      { id: 'E2E-H2', timestamp: yesterday, message: { conversation: 'older 2' }, pushName: 'Ana' },
    ]);
    const started = await api('POST', `/api/v2/instances/${instanceId}/sync`, { whatsapp: { chatIds: [`+${ANA}`] } });
    expect(started.status, started.raw).toBe(202);
    const done = await waitFor('the sync to finish', async () => {
      const s = (await api('GET', `/api/v2/instances/${instanceId}/sync/status`)).body;
      return s.jobId === started.body.jobId && !s.inProgress ? s : undefined;
    }, 30_000);
    expect(done.error).toBeUndefined();
    expect(done).toMatchObject({ chatsCount: 1, messagesCount: 2 });
    // anchored at the oldest message of Ana's chat Omni has, known from before the process restart
    expect(fake.historyRequests.at(-1)).toMatchObject({ chatJid: ana, oldestMsgId: 'E2E-1', answered: ['E2E-H1', 'E2E-H2'] });
    const history = await inboundEvent('E2E-H2');
    expect(history).toMatchObject({ status: 'skipped', ingestMode: 'history' });
    const outbound = await api('GET', `/api/v2/events?instanceId=${instanceId}&direction=outbound&limit=100`);
    expect((outbound.body.items as Array<{ traceId: string }>).some((e) => e.traceId === history.traceId)).toBe(false);
  });

  it('handles 440 (replaced) without a reconnect loop', async () => {
    await expectStaysDown(() => fake.replaceSession(PHONE), 'replaced', 'REPLACED');
    expect((await status()).state).toBe('replaced');
    await api('POST', `/api/v2/instances/${instanceId}/restart`);
    await waitForState('connected');
  });

  it('handles 401 (logged out) without a loop: session cleared, no reconnect', async () => {
    await expectStaysDown(() => fake.logOut(PHONE), 'logged_out', 'LOGGED_OUT');
    const discovered = await api('POST', '/api/v2/instances/discover', { channel: 'whatsapp-baileys' });
    expect(discovered.body.items).toEqual([]);
    // no session key material ever reached the logs
    expect(JSON.stringify(hub.omni.logs)).not.toMatch(/noiseKey|signedIdentityKey|advSecretKey|privKey|"private"/);
  });
});
