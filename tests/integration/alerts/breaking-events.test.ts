import { CreateAlert } from '../../../src/alerts/create-alert';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { kafkaBrokers, produce } from '../../support/kafka';
import { alertFinished, anArticle, aFreshArticleEvent, mailsOf, recipientsOf, someReaders } from './alert-fixtures';

function breakingEvent(tags: string[], overrides: { title?: string; breaking?: boolean } = {}) {
  return { ...aFreshArticleEvent({ tags, title: overrides.title }), breaking: overrides.breaking ?? true };
}

function publish(app: TestApp, events: object[]) {
  return produce(
    kafkaBrokers(),
    app.topics.articles,
    events.map((event) => ({ key: (event as { id: string }).id, value: JSON.stringify(event) })),
  );
}

async function alertsOf(app: TestApp, articleId: string) {
  return app.prisma.alert.findMany({ where: { articleId } });
}

jest.setTimeout(60_000);

describe('Breaking events (breaking: true on Kafka)', () => {
  describe('one instance', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp();
    }, 60_000);

    afterAll(() => sut.close());

    it('sends one alert, exactly as POST /alerts would, to the readers of its tags', async () => {
      const readers = await someReaders(sut.prisma, 3, () => ({ tags: ['kafka-one'] }));
      await someReaders(sut.prisma, 2, () => ({ tags: ['kafka-one'], status: 'pending' }));
      const event = breakingEvent(['#Kafka-One'], { title: 'Breaking from the CMS' });

      await publish(sut, [event]);

      const [alert] = await eventually(async () => {
        const found = await alertsOf(sut, event.id);
        return found.length > 0 ? found : undefined;
      });
      expect(alert).toMatchObject({ sentBy: 'kafka', tags: ['kafka-one'], sequence: 0 });
      await alertFinished(sut, alert.id);
      const mails = mailsOf(sut.smtp.messages, alert.id);
      expect(recipientsOf(mails)).toEqual(readers.map((r) => r.email).sort());
      expect(mails.every((mail) => mail.subject?.startsWith('Breaking: Breaking from the CMS'))).toBe(true);
    });

    it('does not alert an article that is not breaking, nor one that becomes breaking on a later update', async () => {
      await someReaders(sut.prisma, 1, () => ({ tags: ['kafka-calm'] }));
      const calm = breakingEvent(['kafka-calm'], { breaking: false });
      const marker = breakingEvent(['kafka-calm']);

      await publish(sut, [calm]);
      await eventually(() => sut.prisma.article.findUnique({ where: { id: calm.id } }).then((found) => found ?? undefined));
      await publish(sut, [{ ...calm, breaking: true }, marker]);

      const [markerAlert] = await eventually(async () => {
        const found = await alertsOf(sut, marker.id);
        return found.length > 0 ? found : undefined;
      });
      await eventually(async () => ((await sut.prisma.article.findUnique({ where: { id: calm.id } }))?.breaking ? true : undefined));
      await alertFinished(sut, markerAlert.id);
      expect(await alertsOf(sut, calm.id)).toHaveLength(0);
    });

    it('alerts once when the event is redelivered, and after an editor already alerted the article', async () => {
      const readers = await someReaders(sut.prisma, 4, () => ({ tags: ['kafka-redelivered'] }));
      const event = breakingEvent(['kafka-redelivered']);
      const updated = { ...event, title: `${event.title} (updated)`, publishedAt: new Date(Date.parse(event.publishedAt) + 1000).toISOString() };

      await publish(sut, [event, event]);
      await publish(sut, [event, updated]);

      const [alert] = await eventually(async () => {
        const found = await alertsOf(sut, event.id);
        return found.length > 0 ? found : undefined;
      });
      await eventually(async () => ((await sut.prisma.article.findUnique({ where: { id: event.id } }))?.title === updated.title ? true : undefined));
      await alertFinished(sut, alert.id);
      expect(await alertsOf(sut, event.id)).toHaveLength(1);
      expect(recipientsOf(mailsOf(sut.smtp.messages, alert.id))).toEqual(readers.map((r) => r.email).sort());
    });

    it('does not alert again when an article an editor alerted arrives breaking', async () => {
      await someReaders(sut.prisma, 1, () => ({ tags: ['kafka-after-editor'] }));
      const article = await anArticle(sut.prisma, { tags: ['kafka-after-editor'] });
      const service = sut.app.get(CreateAlert);
      const editorAlert = await service.execute({ articleId: article.id, sentBy: 'key-test' });

      await service.ensureBreakingAlert(article.id);

      expect(await alertsOf(sut, article.id)).toEqual([expect.objectContaining({ id: editorAlert.alertId, sentBy: 'key-test' })]);
    });
  });

  describe('two instances in one consumer group, sharing database, topics and SMTP server', () => {
    let first: TestApp;
    let second: TestApp;

    beforeAll(async () => {
      first = await startTestApp();
      second = await startTestApp({ db: first.db, smtp: first.smtp, topics: first.topics });
    }, 90_000);

    afterAll(async () => {
      await second?.close();
      await first?.close();
    });

    it('creates exactly one alert per article when both race to create it', async () => {
      const articles = await Promise.all(Array.from({ length: 8 }, () => anArticle(first.prisma, { tags: ['kafka-race'] })));
      await someReaders(first.prisma, 3, () => ({ tags: ['kafka-race'] }));
      const services = [first.app.get(CreateAlert), second.app.get(CreateAlert)];

      await Promise.all(articles.flatMap((article) => [...services, ...services].map((service) => service.ensureBreakingAlert(article.id))));

      for (const article of articles) {
        const alerts = await alertsOf(first, article.id);
        expect(alerts).toHaveLength(1);
        await alertFinished(first, alerts[0].id);
        expect(mailsOf(first.smtp.messages, alerts[0].id)).toHaveLength(3);
      }
    });

    it('sends each reader one email per breaking article, whichever instance consumed each event and however often', async () => {
      const readers = await someReaders(first.prisma, 5, () => ({ tags: ['kafka-group'] }));
      const events = Array.from({ length: 12 }, () => breakingEvent(['kafka-group']));

      await publish(first, [...events, ...events]);

      const alerts = await eventually(async () => {
        const found = await first.prisma.alert.findMany({ where: { articleId: { in: events.map((e) => e.id) } } });
        return found.length >= events.length ? found : undefined;
      }, 60_000);
      expect(alerts).toHaveLength(events.length);
      for (const alert of alerts) await alertFinished(first, alert.id);
      const mails = alerts.flatMap((alert) => mailsOf(first.smtp.messages, alert.id));
      expect(mails).toHaveLength(events.length * readers.length);
      expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(mails.length);
    });
  });
});
