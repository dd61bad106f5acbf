import { generateVAPIDKeys } from 'web-push';
import { pushOutcomeOf, WebPushTransport } from './push-transport';

describe(pushOutcomeOf.name, () => {
  const now = new Date('2026-12-05T07:00:00Z');

  it.each([200, 201, 202])('%i: sent', (code) => {
    expect(pushOutcomeOf(code, {}, now)).toEqual({ status: 'sent' });
  });

  it.each([404, 410])('%i: gone for good', (code) => {
    expect(pushOutcomeOf(code, {}, now)).toEqual({ status: 'gone', error: `push service answered ${code}` });
  });

  it.each([
    [429, { 'retry-after': '30' }, 30_000],
    [503, { 'retry-after': 'Sat, 05 Dec 2026 07:02:00 GMT' }, 120_000],
    [500, {}, null],
    [502, { 'retry-after': 'soon' }, null],
  ])('%i with %j: busy, retry after %s ms', (code, headers, retryAfterMs) => {
    expect(pushOutcomeOf(code, headers, now)).toEqual({ status: 'busy', error: `push service answered ${code}`, retryAfterMs });
  });

  it.each([400, 401, 403, 413])('%i: rejected', (code) => {
    expect(pushOutcomeOf(code, {}, now).status).toBe('rejected');
  });
});

describe(WebPushTransport.name, () => {
  it('refuses, without a request, an endpoint whose host is not allowed, however it was stored', async () => {
    const keys = generateVAPIDKeys();
    const sut = new WebPushTransport({ vapid: { ...keys, subject: 'mailto:ops@example.com' }, endpointHosts: ['fcm.googleapis.com'], allowedOrigins: [] });
    const message = { keys: { p256dh: 'x', auth: 'y' }, payload: '{}', ttlSeconds: 60, urgency: 'high' as const, topic: 't' };

    try {
      for (const endpoint of ['https://127.0.0.1:1/x', 'http://fcm.googleapis.com/x', 'https://u:p@fcm.googleapis.com/x', 'not a url']) {
        expect(await sut.send({ ...message, endpoint })).toEqual({ status: 'rejected', error: 'push endpoint host is not in PUSH_ENDPOINT_HOSTS' });
      }
    } finally {
      sut.close();
    }
  });
});
