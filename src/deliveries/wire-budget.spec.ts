import { WireBudget } from './wire-budget';

describe(WireBudget.name, () => {
  it('lets as many sends as connections be at risk, and the next waits for a recorded outcome', async () => {
    const sut = new WireBudget(2);
    await sut.take();
    await sut.take();
    let third = false;
    const waiting = sut.take().then(() => (third = true));

    await Promise.resolve();
    expect(third).toBe(false);
    sut.giveBack();
    await waiting;

    expect(third).toBe(true);
    expect(sut.atRisk).toBe(2);
  });

  it('frees slots when nobody waits', async () => {
    const sut = new WireBudget(3);
    await sut.take();
    await sut.take();
    sut.giveBack(2);

    expect(sut.atRisk).toBe(0);
  });
});
