/** Child process: the example echo agent (no delay), printing `{"ready": url}` when it listens. */
import { startEchoAgent } from '../../../examples/echo-agent/src/echo-agent.js';

const agent = await startEchoAgent({ port: 0, host: '127.0.0.1', delayMs: 0 });
console.log(JSON.stringify({ ready: agent.url }));
process.once('SIGTERM', () => void agent.close().then(() => process.exit(0)));
