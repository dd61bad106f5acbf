import type { DigestRunRecord } from './digest-runs.repository';

/** A digest run as editors (GET /digests/runs/:id) and operators (npm run run:status) see it. */
export interface DigestRunStatus {
  runId: string;
  at: string;
  trigger: string;
  /** A run stopped by a shutdown or a crash stays "running"; the next tick completes its work. */
  status: 'running' | 'finished';
  due: number;
  queued: number;
  /** Periods completed without an email (nothing new, or a suppressed address). */
  empty: number;
  startedAt: string;
  endedAt: string | null;
}

export function digestRunStatus(run: DigestRunRecord): DigestRunStatus {
  return {
    runId: run.id,
    at: run.at.toISOString(),
    trigger: run.trigger,
    status: run.endedAt ? 'finished' : 'running',
    due: run.due,
    queued: run.queued,
    empty: run.empty,
    startedAt: run.startedAt.toISOString(),
    endedAt: run.endedAt?.toISOString() ?? null,
  };
}
