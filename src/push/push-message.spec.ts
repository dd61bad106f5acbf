import { alertPush, MAX_PAYLOAD_BYTES, pushTopic } from './push-message';

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

  it('makes topics of at most 32 URL-safe characters', () => {
    expect(pushTopic(alertId)).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  });
});
