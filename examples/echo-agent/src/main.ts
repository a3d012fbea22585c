import { startEchoAgent } from './echo-agent.js';

/** `npm start -w examples/echo-agent`: PORT (default 8886), HOST (default 127.0.0.1), ECHO_DELAY_MS, ECHO_API_KEY. */
function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

const agent = await startEchoAgent({
  port: numberFromEnv('PORT', 8886),
  host: process.env.HOST || '127.0.0.1',
  delayMs: numberFromEnv('ECHO_DELAY_MS', 0),
  apiKey: process.env.ECHO_API_KEY || undefined,
  onReply: (reply) => console.log(`reply delivered by the hub: ${JSON.stringify(reply)}`),
});
console.log(`echo agent listening on ${agent.url} (POST /api/agent/chat, GET /health; replies to POST /replies are printed)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void agent.close().then(() => process.exit(0));
  });
}
