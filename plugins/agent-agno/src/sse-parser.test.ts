import { describe, expect, it } from 'vitest';
import { SseParser, readSseEvents, type SseEvent } from './sse-parser.js';

const parseAll = (pieces: string[]) => {
  const parser = new SseParser();
  return pieces.flatMap((p) => parser.push(p));
};

/** A byte stream delivering `bytes` in the given chunks. */
const byteStream = (bytes: Uint8Array, cuts: number[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      let at = 0;
      for (const cut of [...cuts, bytes.length]) {
        controller.enqueue(bytes.slice(at, cut));
        at = cut;
      }
      controller.close();
    },
  });

async function collect(stream: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of readSseEvents(stream, (err) => err as Error)) events.push(e);
  return events;
}

const STREAM = [
  ': keepalive',
  'event: RunStarted',
  'data: {"event":"RunStarted"}',
  '',
  'event: RunContent',
  'id: 7',
  'data: {"content":"Olá 🌍"}',
  '',
  'data:first',
  'data: second',
  'data',
  '',
  'event: ignored-without-data',
  '',
  '',
].join('\r\n');

const EXPECTED: SseEvent[] = [
  { event: 'RunStarted', data: '{"event":"RunStarted"}' },
  { event: 'RunContent', data: '{"content":"Olá 🌍"}', id: '7' },
  { event: 'message', data: 'first\nsecond\n', id: '7' },
];

describe('SseParser', () => {
  it('parses fields, comments, multi-line data and the default event name', () => {
    expect(parseAll([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events whatever the line endings', () => {
    expect(parseAll([STREAM.replaceAll('\r\n', '\n')])).toEqual(EXPECTED);
    expect(parseAll([STREAM.replaceAll('\r\n', '\r')])).toEqual(EXPECTED);
  });

  it('gives the same events for every split point, including between CR and LF', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      expect(parseAll([STREAM.slice(0, cut), STREAM.slice(cut)]), `split at ${cut}`).toEqual(EXPECTED);
    }
    expect(parseAll([...STREAM])).toEqual(EXPECTED);
  });

  it('does not mistake a lone CR followed by a blank line for CRLF', () => {
    expect(parseAll(['data: a\r', '\r', 'data: b\n\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('keeps only one leading space of a value and drops an unterminated last event', () => {
    expect(parseAll(['data:  two spaces\n\n', 'data: never finished\n'])).toEqual([{ event: 'message', data: ' two spaces' }]);
  });
});

describe('readSseEvents', () => {
  const bytes = new TextEncoder().encode(STREAM);

  it('decodes UTF-8 split inside multi-byte characters, at every byte boundary', async () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect(byteStream(bytes, [cut])), `split at byte ${cut}`).toEqual(EXPECTED);
    }
  });

  it('decodes a stream delivered one byte at a time', async () => {
    expect(await collect(byteStream(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)))).toEqual(EXPECTED);
  });

  it('maps read failures with the given function', async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: ok\n\n'));
        controller.error(new Error('socket hang up'));
      },
    });
    await expect(
      (async () => {
        for await (const _ of readSseEvents(failing, (err) => new Error(`mapped: ${(err as Error).message}`)));
      })(),
    ).rejects.toThrow('mapped: socket hang up');
  });
});
