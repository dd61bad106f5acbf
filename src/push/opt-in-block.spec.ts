import { renderPreferencesPage } from '../subscriptions/views/preferences-page';
import { renderSubscribePage } from '../subscriptions/views/subscribe-page';
import { pushOptInBlock } from './opt-in-block';

describe(pushOptInBlock.name, () => {
  it('names its topics for the script, escaped, and keeps its button hidden until the script has looked at the browser', () => {
    const block = pushOptInBlock({ readerTags: ['ainews', '"><b>'] }, 'Text').value;
    expect(block).toContain('data-dispatch-push data-tags="ainews,&quot;&gt;&lt;b&gt;" data-keep-tags');
    expect(pushOptInBlock({ tagsFrom: 'subscribe-form' }, 'Text').value).toContain('data-dispatch-push data-tags-from="subscribe-form">');
    expect(block).toMatch(/<button [^>]*data-push-toggle hidden>/);
    expect(block).toMatch(/data-push-status role="status" aria-live="polite"/);
  });

  it('is offered, with its script, only when web push is configured', () => {
    const preferences = { email: 'a@example.com', status: 'confirmed' as const, values: { tags: ['x'], frequency: 'daily', sendHour: 7, timezone: 'UTC', weekday: 1 }, storedTags: ['x'], nextDigestAt: null, knownTags: [], preferencesToken: 't', unsubscribeToken: 'u' };
    for (const [on, off] of [
      [renderSubscribePage({ knownTags: [], push: true }), renderSubscribePage({ knownTags: [] })],
      [renderPreferencesPage({ ...preferences, push: true }), renderPreferencesPage(preferences)],
    ]) {
      expect(on).toContain('data-dispatch-push');
      expect(on).toMatch(/<script src="\/assets\/push\.js\?v=[0-9a-f]+" defer><\/script>/);
      expect(off).not.toContain('data-dispatch-push');
      expect(off).not.toContain('push.js');
    }
  });
});
