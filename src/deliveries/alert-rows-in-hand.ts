/** What AlertRowsInHand needs of a row. */
export interface AlertRow {
  id: bigint;
  alertId: string | null;
}

/** First sends remembered; an alert is looked up again only after this many newer ones. */
const REMEMBERED_FIRST_SENDS = 10_000;

/**
 * A worker's local knowledge about the alerts it is sending, used to skip progress
 * queries that cannot change anything:
 * - while it still holds rows of an alert (waiting, in flight, or sent but not yet
 *   recorded), that alert cannot be complete, so its completion is not checked;
 * - once an alert's first send has been recorded, it is not recorded again.
 * Both only ever skip work; the database stays the judge of what is done.
 */
export class AlertRowsInHand {
  private readonly alertOf = new Map<bigint, string>();
  private readonly count = new Map<string, number>();
  private readonly firstSends = new Set<string>();

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

  /** Of these alerts, those whose first send is not known to be recorded. */
  withoutFirstSend(alertIds: readonly string[]): string[] {
    return alertIds.filter((alertId) => !this.firstSends.has(alertId));
  }

  firstSendRecorded(alertIds: readonly string[]): void {
    for (const alertId of alertIds) {
      this.firstSends.add(alertId);
      if (this.firstSends.size > REMEMBERED_FIRST_SENDS) this.firstSends.delete(this.firstSends.values().next().value as string);
    }
  }
}
