/** One dispatched Server-Sent Event. */
export interface SseEvent {
  /** The `event:` field, `message` when the server sent none. */
  event: string;
  /** The `data:` lines joined by `\n`. */
  data: string;
  id?: string;
}

/**
 * An incremental `text/event-stream` parser following the WHATWG HTML "event stream
 * interpretation": lines end in CRLF, LF or CR (also when split across chunks), `:` starts a
 * comment, one leading space after the colon is dropped, a blank line dispatches the event,
 * an event without data is not dispatched, and an unterminated event at the end is discarded.
 * Feed it decoded text (decode with `TextDecoder` in `stream` mode, so multi-byte characters
 * split across chunks stay whole).
 */
export class SseParser {
  private buffer = '';
  private skipLineFeed = false;
  private data: string[] = [];
  private event = '';
  private lastId: string | undefined;

  /** Parses the next piece of the stream; returns the events it completed. */
  push(text: string): SseEvent[] {
    if (text === '') return [];
    if (this.skipLineFeed && text.startsWith('\n')) text = text.slice(1);
    this.skipLineFeed = false;
    const buffer = this.buffer + text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      this.line(buffer.slice(start, i), events);
      if (c === 0x0d) {
        if (i + 1 === buffer.length) this.skipLineFeed = true;
        else if (buffer.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    this.buffer = buffer.slice(start);
    return events;
  }

  private line(line: string, events: SseEvent[]) {
    if (line === '') {
      if (this.data.length > 0) events.push({ event: this.event || 'message', data: this.data.join('\n'), ...(this.lastId === undefined ? {} : { id: this.lastId }) });
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
  }
}

/** The events of a byte stream, decoded as UTF-8. Cancels the stream when the consumer stops early. */
export async function* readSseEvents(body: ReadableStream<Uint8Array>, onReadError: (err: unknown) => Error): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let done = false;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw onReadError(err);
      }
      if (chunk.done) break;
      yield* parser.push(decoder.decode(chunk.value, { stream: true }));
    }
    done = true;
    yield* parser.push(decoder.decode());
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
