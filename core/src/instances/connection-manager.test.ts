import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, stubChannel, type TestKernel } from '@omni/plugin-sdk/testing';

/** Each connect is logged out by the "platform" right away, as WhatsApp does after an unlink. */
let connects = 0;
const { plugin: unlinked } = stubChannel({
  id: 'unlinked',
  adapter: {
    connect: async (i) => {
      connects++;
      i.setStatus({ state: 'logged_out', error: { code: 'LOGGED_OUT', message: 'unlinked from the phone', retryable: false } });
    },
  },
});

describe('ConnectionManager', () => {
  let tk: TestKernel;
  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [unlinked] });
  });
  afterAll(() => tk?.stop());

  it('starts over when asked to connect an instance the platform logged out', async () => {
    const { id } = await tk.createInstance({ channel: 'unlinked' });
    expect(connects).toBe(1);
    expect((await tk.http.get(`/api/v2/instances/${id}/status`)).body.state).toBe('logged_out');
    const again = await tk.http.post(`/api/v2/instances/${id}/connect`);
    expect(again.status).toBe(200);
    expect(connects).toBe(2);
  });
});
