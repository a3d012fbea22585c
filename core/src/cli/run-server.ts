import type { Logger as PinoLogger } from 'pino';
import type { OmniConfig } from '../config.js';
import { discoverPlugins } from '../kernel/plugin-discovery.js';
import { startServer } from '../server.js';

/** Starts the server and stops it cleanly on SIGINT/SIGTERM. */
export async function runServer(config: OmniConfig, logger: PinoLogger): Promise<void> {
  const plugins = await discoverPlugins(config.plugins);
  const running = await startServer({ config, logger, plugins });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
