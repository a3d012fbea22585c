import { describe, it } from 'vitest';

export type ServiceUrlVariable = 'NATS_URL' | 'DATABASE_URL';

export interface RequiredService {
  /** The variable's value, if set. */
  url: string | undefined;
  /**
   * Declares a suite needing the service; `body` gets the URL. Without the variable the suite is
   * skipped, except in CI, where it fails: a CI job that lost its service must not pass silently.
   */
  describe(name: string, body: (url: string) => void): void;
}

/** Reads a service URL from the environment and decides how its suites run. */
export function requireServiceUrl(variable: ServiceUrlVariable, env: NodeJS.ProcessEnv = process.env): RequiredService {
  const url = env[variable] || undefined;
  return {
    url,
    describe(name, body) {
      if (url) describe(name, () => body(url));
      else if (isCi(env)) {
        describe(name, () => {
          it(`needs ${variable}`, () => {
            throw new Error(`${variable} is not set, but CI is: set ${variable} so "${name}" runs against a real service`);
          });
        });
      } else {
        // Collected only so its tests are listed as skipped; no hook or test of it runs.
        describe.skip(name, () => body(''));
      }
    },
  };
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}
