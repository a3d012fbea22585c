import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, waitFor, waitForConnectionState, type TestKernel } from '@omni/plugin-sdk/testing';
import { FakeWhatsAppWeb, trustFakeWhatsAppWeb } from '@omni/plugin-sdk/testing/whatsapp-web';
import type { ConnectionState } from '@omni/plugin-sdk';
import plugin from './index.js';

/** How long a wait on the fake WhatsApp Web server may take. */
const WAIT_MS = 15_000;

describe('whatsapp-baileys channel against the fake WhatsApp Web server', () => {
  let tk: TestKernel;
  let fake: FakeWhatsAppWeb;
  let seq = 0;
  const PHONE = '15551230000';

  const status = async (id: string) => (await tk.http.get(`/api/v2/instances/${id}/status`)).body;
  const waitState = (id: string, state: ConnectionState, timeoutMs = WAIT_MS) => waitForConnectionState(tk, id, state, timeoutMs);
  const create = async (channelConfig: Record<string, unknown> = {}) => {
    const res = await tk.http.post('/api/v2/instances', { name: `wa-${++seq}`, channel: 'whatsapp-baileys', channelConfig: { websocketUrl: fake.url, ...channelConfig } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** Creates an instance and links it: reads the QR from the API, lets the fake phone scan it. */
  const pair = async (phone: string, channelConfig: Record<string, unknown> = {}) => {
    const id = await create(channelConfig);
    const qr = await waitFor('a QR code', async () => {
      const res = await tk.http.get(`/api/v2/instances/${id}/qr`);
      return res.status === 200 ? (res.body as { qr: string; expiresAt: string }) : undefined;
    }, WAIT_MS);
    fake.scanQr(qr.qr, phone);
    await waitState(id, 'connected');
    return { id, qr };
  };
  /** Closes the session with `close`; expects `state` with a non-retryable `code`, and no reconnect attempt in the 500 ms after. */
  const expectStaysDown = async (id: string, close: () => void, state: ConnectionState, code: string) => {
    const connections = fake.connections.length;
    close();
    expect((await waitState(id, state)).error).toMatchObject({ code, retryable: false });
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.connections.length).toBe(connections);
  };
  /** After the session was cleared: discovery no longer offers it, and connecting again (by `connect` or `restart`) needs a new link. */
  const expectSessionForgotten = async (id: string, how: 'connect' | 'restart') => {
    const discovered = await tk.http.post('/api/v2/instances/discover', { channel: 'whatsapp-baileys' });
    expect(discovered.body.items.map((s: { sessionId: string }) => s.sessionId)).not.toContain(id);
    await tk.http.post(`/api/v2/instances/${id}/${how}`, {});
    await waitFor('a new QR', async () => (await tk.http.get(`/api/v2/instances/${id}/qr`)).status === 200, WAIT_MS);
    await tk.http.post(`/api/v2/instances/${id}/disconnect`, {});
  };
  const received = (externalId: string) => tk.events.waitFor('message.received', (e) => e.payload.message.externalId === externalId);

  beforeAll(async () => {
    fake = await FakeWhatsAppWeb.start({ qrRefs: 3 });
    await trustFakeWhatsAppWeb(fake);
    tk = await startTestKernel({ plugins: [plugin] });
  });
  afterAll(async () => {
    await tk?.stop();
    await fake?.close();
  });

  describe('a linked instance', () => {
    let id: string;
    beforeAll(async () => {
      ({ id } = await pair(PHONE));
    });

    it('paired by QR through GET /qr, with an expiry, then connected as the phone number', async () => {
      expect(fake.registrations.length).toBeGreaterThanOrEqual(1);
      expect(fake.logins.filter((c) => c.phone === PHONE)).toHaveLength(1);
      expect((await status(id)).account).toEqual({ id: `+${PHONE}` });
      const qr = await tk.http.get(`/api/v2/instances/${id}/qr`);
      expect(qr.status).toBe(404);
      const discovered = await tk.http.post('/api/v2/instances/discover', { channel: 'whatsapp-baileys' });
      expect(discovered.body.items).toContainEqual(expect.objectContaining({ sessionId: id, phone: `+${PHONE}`, connected: true }));
    });

    it('normalizes text, quoted replies and group messages with the participant as sender', async () => {
      fake.pushMessage({ conversation: 'hello omni' }, { id: 'T1', from: '15550001111@s.whatsapp.net', pushName: 'Ana', toPhone: PHONE });
      expect((await received('T1')).payload.message).toMatchObject({
        chatId: '15550001111@s.whatsapp.net',
        chatType: 'dm',
        sender: { id: '15550001111@s.whatsapp.net', name: 'Ana', phone: '+15550001111' },
        content: { type: 'text', text: 'hello omni' },
      });
      fake.pushMessage({ extendedTextMessage: { text: 'answering', contextInfo: { stanzaId: 'T1', participant: '15550001111@s.whatsapp.net', quotedMessage: { conversation: 'hello omni' } } } }, { id: 'T2', toPhone: PHONE });
      expect((await received('T2')).payload.message).toMatchObject({ content: { type: 'text', text: 'answering' }, replyTo: 'T1' });
      fake.pushMessage({ conversation: 'group hi' }, { id: 'G1', from: '120363000000000001@g.us', participant: '15550002222@s.whatsapp.net', toPhone: PHONE });
      expect((await received('G1')).payload.message).toMatchObject({ chatId: '120363000000000001@g.us', chatType: 'group', sender: { id: '15550002222@s.whatsapp.net', phone: '+15550002222' } });
    });

    it('maps LID senders to their phone number (DM and group)', async () => {
      fake.pushMessage({ conversation: 'lid dm' }, { id: 'L1', from: '88888888888@lid', attrs: { sender_pn: '15550003333@s.whatsapp.net', addressing_mode: 'lid' }, toPhone: PHONE });
      expect((await received('L1')).payload.message).toMatchObject({ chatId: '15550003333@s.whatsapp.net', sender: { id: '15550003333@s.whatsapp.net', phone: '+15550003333' } });
      fake.pushMessage(
        { conversation: 'lid group' },
        { id: 'L2', from: '120363000000000001@g.us', participant: '77777777777@lid', attrs: { participant_pn: '15550004444@s.whatsapp.net', addressing_mode: 'lid' }, toPhone: PHONE },
      );
      expect((await received('L2')).payload.message.sender).toMatchObject({ id: '15550004444@s.whatsapp.net', phone: '+15550004444' });
    });

    it('normalizes location, contact, reaction, poll, edit and delete', async () => {
      fake.pushMessage({ locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin' } }, { id: 'C1', toPhone: PHONE });
      fake.pushMessage({ contactMessage: { displayName: 'Bob', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Bob\nTEL;type=CELL;waid=15550005555:+1 555 000 5555\nEND:VCARD' } }, { id: 'C2', toPhone: PHONE });
      fake.pushMessage({ reactionMessage: { key: { remoteJid: '15550009999@s.whatsapp.net', fromMe: true, id: 'OUT1' }, text: '👍', senderTimestampMs: Date.now() } }, { id: 'C3', toPhone: PHONE });
      fake.pushMessage({ pollCreationMessageV3: { name: 'Tea?', options: [{ optionName: 'yes' }, { optionName: 'no' }], selectableOptionsCount: 1 } }, { id: 'C4', toPhone: PHONE });
      fake.pushMessage({ protocolMessage: { type: 14, key: { remoteJid: '15550009999@s.whatsapp.net', fromMe: false, id: 'T1' }, editedMessage: { conversation: 'hello again' } } }, { id: 'C5', toPhone: PHONE });
      fake.pushMessage({ protocolMessage: { type: 0, key: { remoteJid: '15550009999@s.whatsapp.net', fromMe: false, id: 'T2' } } }, { id: 'C6', toPhone: PHONE });
      expect((await received('C1')).payload.message.content).toEqual({ type: 'location', latitude: 52.52, longitude: 13.405, name: 'Berlin' });
      expect((await received('C2')).payload.message.content).toEqual({ type: 'contact', contact: { name: 'Bob', phone: '+15550005555' } });
      expect((await received('C3')).payload.message.content).toEqual({ type: 'reaction', messageId: 'OUT1', emoji: '👍' });
      expect((await received('C4')).payload.message.content).toEqual({ type: 'poll', question: 'Tea?', options: ['yes', 'no'], multipleAnswers: false });
      expect((await received('C5')).payload.message).toMatchObject({ change: { kind: 'edit', targetId: 'T1' }, content: { type: 'text', text: 'hello again' } });
      expect((await received('C6')).payload.message).toMatchObject({ change: { kind: 'delete', targetId: 'T2' } });
    });

    it('downloads inbound media and stores it in Omni (image, voice note, document)', async () => {
      await fake.pushMedia('image', Buffer.from('image bytes'), { mimetype: 'image/jpeg', caption: 'look' }, { id: 'M1', toPhone: PHONE });
      await fake.pushMedia('audio', Buffer.from('opus bytes'), { mimetype: 'audio/ogg; codecs=opus', ptt: true }, { id: 'M2', toPhone: PHONE });
      await fake.pushMedia('document', Buffer.from('%PDF-1.4'), { mimetype: 'application/pdf', fileName: 'a.pdf' }, { id: 'M3', toPhone: PHONE });
      const image = (await received('M1')).payload.message.content;
      expect(image).toMatchObject({ type: 'image', caption: 'look', media: { mimeType: 'image/jpeg', size: 11, storageKey: expect.any(String) } });
      const { storageKey } = (image as { media: { storageKey: string } }).media;
      const bytes = await tk.http.fetch(`/api/v2/media/${storageKey}`).then(async (r) => Buffer.from(await r.arrayBuffer()));
      expect(bytes.toString()).toBe('image bytes');
      expect((await received('M2')).payload.message.content).toMatchObject({ type: 'audio', voiceNote: true, media: { size: 10 } });
      expect((await received('M3')).payload.message.content).toMatchObject({ type: 'document', media: { filename: 'a.pdf', mimeType: 'application/pdf' } });
    });

    it('sends text with a quote, and every declared content type, as stanzas to the recipient', async () => {
      const reply = await tk.kernel.messages.send({ instanceId: id, to: '+15550001111', content: { type: 'text', text: 'hi back' }, replyTo: 'T1' });
      expect(reply).toMatchObject({ ok: true });
      const sent = await tk.events.waitFor('message.sent', (e) => e.payload.messageId === reply.messageId);
      const stanza = await fake.nextStanza((s) => s.id === sent.payload.externalId);
      expect(stanza).toMatchObject({ to: '15550001111@s.whatsapp.net', type: 'text' });
      expect(stanza.content?.extendedTextMessage).toMatchObject({ text: 'hi back', contextInfo: { stanzaId: 'T1' } });
      const uploadsBefore = fake.media.uploads.length;
      const image = await tk.kernel.messages.send({ instanceId: id, to: '15550001111', content: { type: 'image', media: { base64: Buffer.from('png-ish').toString('base64'), mimeType: 'image/png' } } });
      const imageSent = await tk.events.waitFor('message.sent', (e) => e.payload.messageId === image.messageId);
      const imageStanza = await fake.nextStanza((s) => s.id === imageSent.payload.externalId);
      expect(imageStanza).toMatchObject({ type: 'media', mediaType: 'image' });
      expect(imageStanza.content?.imageMessage?.mimetype).toBe('image/png');
      const note = await tk.kernel.messages.send({ instanceId: id, to: '15550001111', content: { type: 'audio', voiceNote: true, media: { base64: Buffer.from('OggS').toString('base64') } } });
      const noteSent = await tk.events.waitFor('message.sent', (e) => e.payload.messageId === note.messageId);
      expect((await fake.nextStanza((s) => s.id === noteSent.payload.externalId)).content?.audioMessage).toMatchObject({ ptt: true });
      expect(fake.media.uploads.length).toBeGreaterThan(uploadsBefore);
      expect(fake.media.uploads.slice(uploadsBefore).every((u) => u.intact)).toBe(true);
    });

    it('edits, deletes, types and marks read', async () => {
      const sent = await tk.kernel.messages.send({ instanceId: id, to: '+15550001111', content: { type: 'text', text: 'to be edited' } });
      const externalId = (await tk.events.waitFor('message.sent', (e) => e.payload.messageId === sent.messageId)).payload.externalId as string;
      const channel = tk.kernel.channels.get('whatsapp-baileys')!;
      const before = fake.stanzas.length;
      expect(await channel.adapter.edit!(id, { chatId: '+15550001111', messageId: externalId }, 'edited')).toMatchObject({ ok: true });
      expect(await channel.adapter.delete!(id, { chatId: '+15550001111', messageId: externalId })).toMatchObject({ ok: true });
      const [edit, revoke] = [await fake.nextStanza((s) => s.edit === '1', 5_000, before), await fake.nextStanza((s) => s.edit === '7', 5_000, before)];
      expect(edit).toMatchObject({ to: '15550001111@s.whatsapp.net', edit: '1' });
      const edited = edit.content?.protocolMessage;
      expect(edited?.key?.id).toBe(externalId);
      expect(edited?.editedMessage?.conversation ?? edited?.editedMessage?.extendedTextMessage?.text).toBe('edited');
      expect(revoke.content?.protocolMessage?.key?.id).toBe(externalId);
      expect(revoke).toMatchObject({ to: '15550001111@s.whatsapp.net', edit: '7' });
      await channel.adapter.typing!(id, '+15550001111', 'composing');
      await channel.adapter.markRead!(id, [{ chatId: '+15550001111', messageId: 'T1' }]);
      await waitFor('presence and receipt', () =>
        fake.received.some((n) => n.tag === 'chatstate' && Array.isArray(n.content) && n.content[0]?.tag === 'composing') &&
        fake.received.some((n) => n.tag === 'receipt' && n.attrs.type === 'read' && n.attrs.id === 'T1'),
        WAIT_MS,
      );
    });

    it('validates recipients with onWhatsApp and reads profiles', async () => {
      fake.unregistered.add('15550000000');
      fake.profiles.set('15550001111', { status: 'busy', pictureUrl: 'https://example.test/pic.jpg' });
      expect((await tk.http.post(`/api/v2/instances/${id}/validate-recipient`, { recipient: '+1 555 000 1111' })).body).toEqual({ valid: true, exists: true, normalized: '+15550001111' });
      expect((await tk.http.post(`/api/v2/instances/${id}/validate-recipient`, { recipient: '+15550000000' })).body).toEqual({ valid: true, exists: false, normalized: '+15550000000' });
      expect((await tk.http.post(`/api/v2/instances/${id}/validate-recipient`, { recipient: 'not a number' })).body).toMatchObject({ valid: false, exists: false });
      const profile = await tk.http.get(`/api/v2/instances/${id}/profile/15550001111`);
      expect(profile.body).toEqual({ platformUserId: '15550001111@s.whatsapp.net', about: 'busy', avatarUrl: 'https://example.test/pic.jpg' });
      const update = await tk.http.put(`/api/v2/instances/${id}/profile`, { status: 'on duty' });
      expect(update.status).toBe(200);
      const statusIq = await waitFor('status IQ', () => fake.received.find((n) => n.tag === 'iq' && n.attrs.xmlns === 'status'), WAIT_MS);
      expect(Buffer.from((statusIq.content as Array<{ content: Uint8Array }>)[0]!.content).toString()).toBe('on duty');
    });

    it('comes back after a restart from the stored session, without a new QR', async () => {
      const registrations = fake.registrations.length;
      await tk.kernel.plugins.disable(plugin.id);
      await tk.kernel.plugins.enable(plugin.id);
      await waitState(id, 'connected');
      expect(fake.registrations.length).toBe(registrations);
      expect(fake.logins.filter((c) => c.phone === PHONE).length).toBe(2);
    });

    it('reconnects with backoff when the connection drops, reporting each attempt', async () => {
      const logins = fake.logins.length;
      fake.dropConnections();
      const reconnecting = await waitState(id, 'reconnecting');
      expect(reconnecting.reconnect).toEqual({ attempt: 1, nextAttemptAt: expect.any(String) });
      expect(reconnecting.error).toMatchObject({ code: 'CONNECTION_LOST', retryable: true });
      const attemptEvent = await tk.events.waitFor('instance.status', (e) => e.metadata.instanceId === id && e.payload.status.state === 'reconnecting');
      expect(attemptEvent.payload.status.reconnect).toMatchObject({ attempt: 1 });
      await waitState(id, 'connected', 20_000);
      expect(fake.logins.length).toBe(logins + 1);
    });

    it('stops at 440 (replaced) without reconnecting, and connects again on request', async () => {
      await expectStaysDown(id, () => fake.replaceSession(PHONE), 'replaced', 'REPLACED');
      expect((await status(id)).state).toBe('replaced');
      await tk.http.post(`/api/v2/instances/${id}/restart`, {});
      await waitState(id, 'connected');
    });

    it('at 401 (logged out) clears the session and stays down', async () => {
      await expectStaysDown(id, () => fake.logOut(PHONE), 'logged_out', 'LOGGED_OUT');
      await expectSessionForgotten(id, 'restart');
    });
  });

  it('forgets the session on POST /logout; the next connect needs a new QR', async () => {
    const { id } = await pair('15551230099');
    const res = await tk.http.post(`/api/v2/instances/${id}/logout`, {});
    expect(res.status).toBe(200);
    expect((await status(id)).state).toBe('logged_out');
    await expectSessionForgotten(id, 'connect');
  });

  it('rotates QR codes and reports a timeout when nobody scans', async () => {
    const id = await create({ qrTimeoutMs: 1_000 });
    const first = await waitFor('QR 1', async () => (await status(id)).qr as { code: string; expiresAt: string } | undefined, WAIT_MS);
    expect(Date.parse(first.expiresAt)).toBeGreaterThan(Date.now() - 1_000);
    const second = await waitFor('QR 2', async () => {
      const qr = (await status(id)).qr as { code: string } | undefined;
      return qr && qr.code !== first.code ? qr : undefined;
    }, WAIT_MS);
    expect(second.code).not.toBe(first.code);
    const timedOut = await waitState(id, 'error');
    expect(timedOut.error).toMatchObject({ code: 'QR_TIMEOUT', retryable: true });
    const connections = fake.connections.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.connections.length).toBe(connections);
  });

  it('links with a pairing code when configured', async () => {
    const id = await create({ phoneNumber: '+15557770000', usePairingCode: true });
    const waiting = await waitFor('pairing code', async () => ((await status(id)).pairingCode ? status(id) : undefined), WAIT_MS);
    expect(waiting.state).toBe('awaiting_qr');
    expect(waiting.pairingCode.code).toMatch(/^[A-Z0-9]{8}$/);
    expect(waiting.qr).toBeUndefined();
    expect(fake.received.some((n) => n.tag === 'iq' && Array.isArray(n.content) && n.content[0]?.tag === 'link_code_companion_reg')).toBe(true);
    await tk.http.post(`/api/v2/instances/${id}/disconnect`, {});
  });

  it('refuses a pairing code without a phone number', async () => {
    const res = await tk.http.post('/api/v2/instances', { name: 'wa-bad', channel: 'whatsapp-baileys', channelConfig: { usePairingCode: true } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});
