import { Agent, request } from 'node:http';
import { startTestApp, TestApp } from '../../support/app';

jest.setTimeout(60_000);

/** GET on the agent's pooled connection; resolves with the status and whether an idle socket was reused. */
function get(url: string, agent: Agent): Promise<{ status: number; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

// A load balancer reuses idle connections for up to its own idle timeout (often
// 60 s); if the service closed them after Node's default 5 s, a reader's request
// could land on a connection being closed and get a 502.
describe('HTTP keep-alive', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('keeps an idle connection open past Node’s 5 s default', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(`${app.url}/tags`, agent)).toEqual({ status: 200, reusedSocket: false });
      await new Promise((resolve) => setTimeout(resolve, 6_000));

      expect(await get(`${app.url}/tags`, agent)).toEqual({ status: 200, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });
});
