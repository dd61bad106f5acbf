import { loadConfig } from '../config/config';
import { runCli } from './main';

describe('push:keys', () => {
  const sut = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['push:keys', ...argv], { out: (line) => out.push(line), err: (line) => err.push(line) }, { NODE_ENV: 'test' });
    return { code, out, err };
  };

  it('prints a pair the service accepts as its VAPID configuration', async () => {
    const run = await sut();

    expect(run.code).toBe(0);
    const vars = Object.fromEntries(run.out.filter((line) => !line.startsWith('#')).map((line) => line.split('=', 2)));
    const config = loadConfig({ NODE_ENV: 'test', ...vars, VAPID_SUBJECT: 'mailto:ops@example.com' });
    expect(config.push?.vapid.publicKey).toBe(vars.VAPID_PUBLIC_KEY);
  });

  it('makes a new pair every time, also as JSON', async () => {
    const [a, b] = [await sut('--json'), await sut('--json')];

    const first = JSON.parse(a.out[0]) as { publicKey: string; privateKey: string };
    const second = JSON.parse(b.out[0]) as { publicKey: string; privateKey: string };
    expect(first.privateKey).not.toBe(second.privateKey);
    expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
  });
});
