import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../config/config';
import { MovableClock } from '../../tests/support/clock';
import { DigestRunService } from './digest-run.service';
import { DigestScheduler } from './digest-scheduler';

function aScheduler(run: (at: Date, trigger: string) => Promise<unknown>) {
  const runs = { run: jest.fn(run) } as unknown as DigestRunService & { run: jest.Mock };
  const registry = new SchedulerRegistry();
  const config = { digestTickCron: '*/5 * * * *' } as AppConfig;
  const sut = new DigestScheduler(runs, registry, new MovableClock(new Date('2027-01-10T07:00:00Z')), config);
  return { sut, runs, registry };
}

describe(DigestScheduler.name, () => {
  it('runs the digests due at the clock’s instant, as a tick', async () => {
    const { sut, runs } = aScheduler(async () => undefined);

    await sut.tick();

    expect(runs.run).toHaveBeenCalledWith(new Date('2027-01-10T07:00:00Z'), 'tick');
  });

  it('skips a tick while the previous run is still going, and runs again once it is over', async () => {
    let finish: () => void = () => undefined;
    const { sut, runs } = aScheduler(() => new Promise<void>((resolve) => (finish = resolve)));

    const first = sut.tick();
    await sut.tick();
    expect(runs.run).toHaveBeenCalledTimes(1);
    finish();
    await first;
    const third = sut.tick();
    finish();
    await third;

    expect(runs.run).toHaveBeenCalledTimes(2);
  });

  it('survives a failed run: the next tick tries again', async () => {
    const { sut, runs } = aScheduler(() => Promise.reject(new Error('database down')));

    await expect(sut.tick()).resolves.toBeUndefined();
    await expect(sut.tick()).resolves.toBeUndefined();

    expect(runs.run).toHaveBeenCalledTimes(2);
  });

  it('registers its cron job on DIGEST_TICK_CRON and removes it at shutdown', () => {
    const { sut, registry } = aScheduler(async () => undefined);

    sut.onApplicationBootstrap();
    expect(registry.getCronJob('digest-tick').cronTime.source).toBe('*/5 * * * *');
    sut.beforeApplicationShutdown();

    expect(registry.doesExist('cron', 'digest-tick')).toBe(false);
  });
});
