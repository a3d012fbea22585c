/**
 * Child process: the ceiling. A bare Koa relay with the hub's shape and none of its work: it
 * takes the webhook POST, answers `{received, eventId}`, then calls the agent and POSTs the signed
 * reply to the outbound receiver. No persistence, no bus, no validation. Env: AGENT_URL, OUTBOUND_URL.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';

const AGENT_URL = process.env.AGENT_URL!;
const OUTBOUND_URL = process.env.OUTBOUND_URL!;
const SECRET = process.env.RELAY_SECRET ?? 'relay-secret-0123456789';
const PATH = /^\/api\/v2\/webhooks\/webhook\/([^/]+)$/;

interface Inbound {
  messageId: string;
  from: string;
  text: string;
}

async function relay(instanceId: string, data: Inbound): Promise<void> {
  const agent = await fetch(`${AGENT_URL}/api/agent/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ user_id: data.from, session_id: `${instanceId}:${data.from}`, message: data.text, message_type: 'text', session_origin: 'webhook' }),
  });
  const { text } = (await agent.json()) as { text: string };
  const body = JSON.stringify({ instanceId, messageId: randomUUID(), to: data.from, chatId: data.from, content: { type: 'text', text } });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
  const out = await fetch(OUTBOUND_URL, { method: 'POST', headers: { 'content-type': 'application/json', 'x-omni-timestamp': timestamp, 'x-omni-signature': signature }, body });
  await out.text();
}

const app = new Koa();
app.use(async (ctx) => {
  const match = ctx.method === 'POST' ? PATH.exec(ctx.path) : null;
  if (!match) return void (ctx.status = 404);
  if (ctx.get('x-webhook-secret') !== SECRET) return void (ctx.status = 401);
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  const { data } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: Inbound };
  ctx.body = { received: true, eventId: randomUUID(), duplicate: false };
  relay(match[1]!, data).catch((err: unknown) => console.error('relay failed:', err));
});

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
server.keepAliveTimeout = 65_000;
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
