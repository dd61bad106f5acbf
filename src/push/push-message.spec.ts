import { alertPush, alertPushes, MAX_PAYLOAD_BYTES, pushTopic } from './push-message';

describe(alertPush.name, () => {
  const alertId = '0b7e4c2a-1f3d-4e5a-9b8c-7d6e5f4a3b2c';
  const subscription = { endpoint: 'https://fcm.googleapis.com/fcm/send/x', p256dh: 'BP', auth: 'au' };
  const article = { title: 'Markets fall', summary: 'Stocks slid on Friday.', url: 'https://news.example.com/markets' };

  it('carries alertId, title, body and url, urgent, for at most an hour, under a topic of the alert', () => {
    const push = alertPush({ alertId, article, subscription });

    expect(push).toEqual({
      endpoint: subscription.endpoint,
      keys: { p256dh: 'BP', auth: 'au' },
      payload: JSON.stringify({ alertId, title: 'Markets fall', body: 'Stocks slid on Friday.', url: article.url }),
      ttlSeconds: 3600,
      urgency: 'high',
      topic: '0b7e4c2a1f3d4e5a9b8c7d6e5f4a3b2c',
    });
  });

  it('marks a staff test in its title, and a minor alert as not urgent', () => {
    const test = alertPush({ alertId, article, subscription, test: true });
    const minor = alertPush({ alertId, article, subscription, priority: 'minor' });

    if ('error' in test || 'error' in minor) throw new Error('expected pushes');
    expect(JSON.parse(test.payload)).toMatchObject({ title: '[TEST] Markets fall' });
    expect(test.urgency).toBe('high');
    expect(minor.urgency).toBe('normal');
  });

  it('shortens a long summary to fit a push, never splitting a character', () => {
    const push = alertPush({ alertId, article: { ...article, summary: '📰'.repeat(2000) }, subscription });

    if ('error' in push) throw new Error(push.error);
    expect(Buffer.byteLength(push.payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const body = (JSON.parse(push.payload) as { body: string }).body;
    expect(body.endsWith('…')).toBe(true);
    expect(body).not.toContain('\uFFFD');
  });

  it('refuses an article whose URL alone cannot fit', () => {
    expect(alertPush({ alertId, article: { ...article, url: `https://x.example/${'a'.repeat(4000)}` }, subscription })).toEqual({ error: expect.any(String) });
  });

  it('asks for Urgency normal, not high, for a minor alert', () => {
    expect(alertPush({ alertId, priority: 'minor', article, subscription })).toMatchObject({ urgency: 'normal' });
    expect(alertPush({ alertId, priority: 'major', article, subscription })).toMatchObject({ urgency: 'high' });
    expect(alertPush({ alertId, priority: null, article, subscription })).toMatchObject({ urgency: 'high' });
  });

  it('composes a batch exactly as one push at a time, each alert with its own payload', () => {
    const sut = alertPushes();
    const otherId = '1c8f5d3b-2a4e-4f6b-8c9d-8e7f6a5b4c3d';
    const other = { title: 'Rates rise', summary: null, url: 'https://news.example.com/rates' };
    const inputs = [
      { alertId, article, subscription },
      { alertId: otherId, priority: 'minor' as const, article: other, subscription: { ...subscription, endpoint: 'https://fcm.googleapis.com/fcm/send/y' } },
      { alertId, article, subscription: { ...subscription, p256dh: 'BQ' } },
    ];

    expect(inputs.map(sut)).toEqual(inputs.map(alertPush));
  });

  it('makes topics of at most 32 URL-safe characters', () => {
    expect(pushTopic(alertId)).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  });
});
