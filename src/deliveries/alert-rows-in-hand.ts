/** What AlertRowsInHand needs of a row. */
export interface AlertRow {
  id: bigint;
  alertId: string | null;
}

/**
 * Which alerts this instance holds rows of (waiting, in flight, or sent but not yet
 * recorded): while it holds any, that alert cannot be complete, so the "settled"
 * event names an alert as idle here only once its last row is let go. Only ever
 * skips work; the database stays the judge of what is done.
 */
export class AlertRowsInHand {
  private readonly alertOf = new Map<bigint, string>();
  private readonly count = new Map<string, number>();

  hold(rows: readonly AlertRow[]): void {
    for (const row of rows) {
      if (row.alertId === null || this.alertOf.has(row.id)) continue;
      this.alertOf.set(row.id, row.alertId);
      this.count.set(row.alertId, (this.count.get(row.alertId) ?? 0) + 1);
    }
  }

  /**
   * Lets go of rows whose outcome is recorded (releasing one twice is harmless) and
   * returns the alerts among theirs of which nothing is held any more.
   */
  release(rows: readonly AlertRow[]): string[] {
    const touched = new Set<string>();
    for (const row of rows) {
      if (row.alertId === null) continue;
      touched.add(row.alertId);
      if (!this.alertOf.delete(row.id)) continue;
      const left = (this.count.get(row.alertId) ?? 1) - 1;
      if (left > 0) this.count.set(row.alertId, left);
      else this.count.delete(row.alertId);
    }
    return [...touched].filter((alertId) => !this.count.has(alertId));
  }
}
