import { AgentCallError, type AgentTarget } from '@omni/plugin-sdk';
import { CANCELLED_EVENT, COMPLETED_EVENT, CONTENT_EVENTS, ERROR_EVENTS, contentText, runFailed } from './agno-api.js';
import { readSseEvents } from './sse-parser.js';

/**
 * The answer text of a streamed Agno run, delta by delta. Content events yield their text;
 * `RunCompleted` supplies the whole answer only when no delta came (structured output, or a
 * server streaming without content events); `RunError` and `RunCancelled` throw. After
 * `RunCompleted` the rest of the stream is read but ignored, so the run ends on the agent's side
 * as it would with any client.
 */
export async function* runTextDeltas(body: ReadableStream<Uint8Array>, target: AgentTarget): AsyncGenerator<string> {
  let answered = false;
  let completed = false;
  for await (const sse of readSseEvents(body, (err) => AgentCallError.fromFetchFailure(err, target.timeoutMs))) {
    if (completed) continue;
    const data = parseEventData(sse.data);
    const name = typeof data.event === 'string' ? data.event : sse.event;
    if (CONTENT_EVENTS.has(name)) {
      if (typeof data.content === 'string' && data.content !== '') {
        answered = true;
        yield data.content;
      }
    } else if (name === COMPLETED_EVENT) {
      completed = true;
      const whole = answered ? undefined : contentText(data.content);
      if (whole) {
        answered = true;
        yield whole;
      }
    } else if (ERROR_EVENTS.has(name)) {
      throw runFailed(data.content ?? data.error);
    } else if (name === CANCELLED_EVENT) {
      throw new AgentCallError('AGENT_CANCELLED', `Agno run was cancelled${typeof data.reason === 'string' ? `: ${data.reason}` : ''}`, { retryable: false });
    }
  }
  if (!answered) throw new AgentCallError('BAD_RESPONSE', 'Agno stream ended without any content', { retryable: false });
}

function parseEventData(raw: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    data = undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new AgentCallError('BAD_RESPONSE', `Agno sent an event whose data is not a JSON object: ${raw.slice(0, 200)}`, { retryable: false });
  }
  return data as Record<string, unknown>;
}
