import { PublicationWindow } from './matching';
import { DigestPrefs, digestWindow, latestSlotAtOrBefore, nextSlotAfter, periodKey } from './schedule';

/** What "a digest run at instant `at`" means for one set of schedule preferences. */
export interface DigestTiming {
  /** The slot being delivered: the latest one at or before the run's instant. */
  slot: Date;
  /** The period that slot stands for: one digest per period, ever. */
  period: string;
  /** Publication times the digest covers. */
  window: PublicationWindow;
  /** Where the schedule moves once this period is done. */
  next: Date;
}

/**
 * The schedule arithmetic of one run instant, done once per distinct
 * (frequency, sendHour, timezone, weekday): a run's subscribers share a few
 * hundred combinations at most, and time-zone offset lookups are the costly part.
 */
export class DigestTimetable {
  private readonly timings = new Map<string, DigestTiming>();

  constructor(readonly at: Date) {}

  /** Throws RangeError for preferences that are not a valid schedule. */
  timingFor(prefs: DigestPrefs): DigestTiming {
    const key = `${prefs.frequency}|${prefs.sendHour}|${prefs.weekday}|${prefs.timezone}`;
    let timing = this.timings.get(key);
    if (!timing) {
      const slot = latestSlotAtOrBefore(prefs, this.at);
      timing = { slot, period: periodKey(prefs, slot), window: digestWindow(prefs, slot), next: nextSlotAfter(prefs, this.at) };
      this.timings.set(key, timing);
    }
    return timing;
  }
}
