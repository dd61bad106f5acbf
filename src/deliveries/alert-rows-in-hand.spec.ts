import { AlertRow, AlertRowsInHand } from './alert-rows-in-hand';

const aRow = (id: number, alertId: string | null = 'alert-a'): AlertRow => ({ id: BigInt(id), alertId });

describe(AlertRowsInHand.name, () => {
  it('reports an alert as idle only once every held row of it is released', () => {
    const sut = new AlertRowsInHand();
    sut.hold([aRow(1), aRow(2), aRow(3, 'alert-b')]);

    expect(sut.release([aRow(1)])).toEqual([]);
    expect(sut.release([aRow(2), aRow(3, 'alert-b')])).toEqual(['alert-a', 'alert-b']);
  });

  it('treats a release of a row it never held, or twice, as harmless', () => {
    const sut = new AlertRowsInHand();
    sut.hold([aRow(1), aRow(2)]);

    expect(sut.release([aRow(1)])).toEqual([]);
    expect(sut.release([aRow(1)])).toEqual([]);
    expect(sut.release([aRow(9)])).toEqual([]);
    expect(sut.release([aRow(2)])).toEqual(['alert-a']);
    expect(sut.release([aRow(7, 'alert-c')])).toEqual(['alert-c']);
  });

  it('ignores rows that belong to no alert', () => {
    const sut = new AlertRowsInHand();
    sut.hold([aRow(1, null)]);

    expect(sut.release([aRow(1, null)])).toEqual([]);
  });

  it('counts a row held twice once', () => {
    const sut = new AlertRowsInHand();
    sut.hold([aRow(1)]);
    sut.hold([aRow(1)]);

    expect(sut.release([aRow(1)])).toEqual(['alert-a']);
  });
});
