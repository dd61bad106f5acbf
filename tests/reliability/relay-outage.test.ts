import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/app';
import { ServiceProcess } from '../support/service-process';
import { emailsTo, expectKeptPromises, FAST_FAILOVER, Ledger, ledgerOf, metric, outboxSettled } from './fixtures';

jest.setTimeout(300_000);

// RELIABILITY.md F15 (issue 13's third case): the relay unreachable — its port
// closed, every connection refused — with confirmation emails queued. Reported:
// after 5 minutes three confirmation emails were `failed` for good ("gave up
// after 10 attempts: ECONNREFUSED") and never sent, while /health said 200. An
// unreachable relay is the outbox's problem, not the message's: the outbox pauses
// as a whole (a circuit breaker), spends no attempts, says so in /health and a
// metric, and sends everything once the relay is back.

const OUTAGE_MS = 40_000;
/** The breaker has had time to open: from here to the outage's end, /health and the metric must say paused. */
const PAUSED_AFTER_MS = 15_000;
const MAX_ATTEMPTS = 2;

interface Sample {
  at: number;
  health: number;
  outbox?: string;
  paused: number;
}

describe('The relay unreachable for a while', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await ServiceProcess.start({ env: FAST_FAILOVER });
  });

  afterAll(async () => {
    await service?.smtp.listenAgain().catch(() => undefined);
    await service?.close();
  });

  async function sample(started: number): Promise<Sample> {
    const res = await fetch(`${service.url}/health`);
    const body = (await res.json().catch(() => ({}))) as { checks?: { outbox?: { status?: string } } };
    return { at: Date.now() - started, health: res.status, outbox: body.checks?.outbox?.status, paused: await metric(service.url, 'dispatch_outbox_paused') };
  }

  it('F15: pauses the outbox without spending attempts, says so, and sends everything once when it is back', async () => {
    const ledger = new Ledger().faultStruck();
    await service.smtp.stopListening();
    const started = Date.now();
    const addresses = ['f15-ana@readers.test', 'f15-bo@readers.test', 'f15-cy@readers.test'];
    for (const email of addresses) {
      const res = await request(service.url).post('/subscriptions').send({ email, tags: ['news'] });
      expect(res.status).toBe(202);
    }
    ledger.expect(emailsTo(addresses.map((email) => ({ email })), 'confirm'));

    const samples: Sample[] = [];
    while (Date.now() - started < OUTAGE_MS) {
      samples.push(await sample(started));
      await sleep(1_000);
    }
    const during = await service.prisma.delivery.findMany({ where: { kind: 'confirm' }, select: { status: true, attempts: true, lastError: true } });
    await service.smtp.listenAgain();

    const broken: string[] = [];
    if (during.length !== addresses.length) broken.push(`${during.length} confirmation rows queued for ${addresses.length} subscriptions`);
    const spent = Math.max(0, ...during.map((row) => row.attempts));
    if (spent > MAX_ATTEMPTS) broken.push(`a row spent ${spent} attempts while the relay was unreachable; at most ${MAX_ATTEMPTS} (the probes that found it down)`);
    const failed = during.filter((row) => row.status === 'failed');
    if (failed.length > 0) broken.push(`${failed.length} confirmation row(s) given up while the relay was unreachable: ${failed.map((row) => row.lastError).join('; ')}`);
    const late = samples.filter((entry) => entry.at >= PAUSED_AFTER_MS);
    const notPaused = late.filter((entry) => entry.health !== 503 || entry.outbox !== 'paused' || entry.paused !== 1);
    if (notPaused.length > 0) {
      const shown = notPaused.slice(0, 3).map((entry) => `at ${entry.at} ms: /health ${entry.health}, outbox check ${entry.outbox ?? 'absent'}, dispatch_outbox_paused ${entry.paused}`);
      broken.push(`${notPaused.length} of ${late.length} samples after ${PAUSED_AFTER_MS} ms of outage did not say the outbox was paused (${shown.join('; ')})`);
    }

    await outboxSettled(service.prisma, 60_000).catch((error: Error) => broken.push(`the outbox did not settle within 60 s of the relay's return: ${error.message}`));
    await eventually(async () => ((await metric(service.url, 'dispatch_outbox_paused')) === 0 && (await fetch(`${service.url}/health`)).status === 200 ? true : undefined), 30_000).catch(() =>
      broken.push('the outbox did not report itself resumed (dispatch_outbox_paused 0, /health 200) within 30 s of the relay coming back'),
    );
    const after = await service.prisma.delivery.findMany({ where: { kind: 'confirm' }, select: { status: true, attempts: true } });
    process.stdout.write(
      `F15: ${OUTAGE_MS} ms relay outage; rows during it ${JSON.stringify(during.map((row) => [row.status, row.attempts]))}, after ${JSON.stringify(after.map((row) => [row.status, row.attempts]))}; ` +
        `samples ${JSON.stringify(samples.filter((_, i) => i % 5 === 0))}\n`,
    );
    expectKeptPromises(broken, await ledgerOf(service, ledger));
  });
});
