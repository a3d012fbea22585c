/** The lines libsignal writes with console.* (session_record.js, session_cipher.js, session_builder.js, ...). */
const LIBSIGNAL_LINE =
  /^(Closing session|Opening session|Removing old closed session|Session already (closed|open)|Closing (open|stale open) session|Migrating session|Decrypted message with closed session|Failed to decrypt message|Session error|Unhandled bucket type|V1 session storage|WARNING: Expected pubkey)/;

const LEVELS = ['log', 'info', 'warn', 'error'] as const;
let sink: ((line: string) => void) | undefined;

/**
 * libsignal (under Baileys) prints whole Signal sessions, private keys included, with console.*.
 * This routes exactly those lines to `log` as their first words only, and leaves every other
 * console call alone. It patches the process's console once; later calls only change the sink.
 */
export function redactLibsignalConsole(log: (line: string) => void): void {
  const first = sink === undefined;
  sink = log;
  if (!first) return;
  for (const level of LEVELS) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && LIBSIGNAL_LINE.test(args[0])) {
        sink?.(`libsignal: ${args[0].split(/[:.]/, 1)[0]}`);
        return;
      }
      original(...args);
    };
  }
}
