import { Signal } from './signal';

describe(Signal.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('wakes every waiter on notify', async () => {
    const sut = new Signal();
    const woken: string[] = [];
    const first = sut.wait().then(() => woken.push('first'));
    const second = sut.wait(60_000).then(() => woken.push('second'));

    sut.notify();
    await Promise.all([first, second]);

    expect(woken.sort()).toEqual(['first', 'second']);
    expect(sut.waiting).toBe(0);
  });

  it('gives up waiting after the timeout', async () => {
    const sut = new Signal();
    let woken = false;
    const waiting = sut.wait(200).then(() => {
      woken = true;
    });

    await jest.advanceTimersByTimeAsync(199);
    expect(woken).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await waiting;

    expect(woken).toBe(true);
    expect(sut.waiting).toBe(0);
  });

  it('does not remember a notify nobody was waiting for', async () => {
    const sut = new Signal();
    sut.notify();
    let woken = false;
    void sut.wait(100).then(() => {
      woken = true;
    });

    await jest.advanceTimersByTimeAsync(50);

    expect(woken).toBe(false);
  });
});
