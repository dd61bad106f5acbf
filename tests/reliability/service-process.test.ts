import { ServiceProcess } from '../support/service-process';

jest.setTimeout(180_000);

// The child-process runner the fault tests rely on: a crash must be a real
// crash (SIGKILL), and a clean stop must end with exit status 0.

describe(ServiceProcess.name, () => {
  let sut: ServiceProcess;

  beforeAll(async () => {
    sut = await ServiceProcess.start();
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('answers /health, dies on kill9(), comes back on restart() and exits 0 on SIGTERM', async () => {
    expect((await fetch(`${sut.url}/health`)).status).toBe(200);
    const firstPid = sut.pid;

    expect(await sut.kill9()).toEqual({ code: null, signal: 'SIGKILL' });
    await expect(fetch(`${sut.url}/health`)).rejects.toThrow();

    const started = Date.now();
    await sut.restart();
    process.stdout.write(`restart to healthy: ${Date.now() - started} ms\n`);
    expect(sut.pid).not.toBe(firstPid);
    expect((await fetch(`${sut.url}/health`)).status).toBe(200);

    expect(await sut.sigterm()).toEqual({ code: 0, signal: null });
  });
});
