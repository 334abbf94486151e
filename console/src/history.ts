/** One change of a privacy request's history, as the API lists it. */
export interface HistoryEntry {
  status: string;
  at: string;
  note?: string;
}

/** A status the request was in, with each step it took while in it (the entries that kept its status). */
export interface HistoryStage {
  status: string;
  at: string;
  note?: string;
  steps: { at: string; note: string }[];
}

/**
 * The history as stages: an entry that keeps the status of the one before (a deletion's cooling-off,
 * then its erasure, both `in_progress`) is a step of that stage, not a stage of its own, so a status
 * is listed once for each time the request entered it. A step with no note says nothing new and is left out.
 */
export function historyStages(history: readonly HistoryEntry[]): HistoryStage[] {
  const stages: HistoryStage[] = [];
  for (const entry of history) {
    const current = stages.at(-1);
    if (current?.status === entry.status) {
      if (entry.note) current.steps.push({ at: entry.at, note: entry.note });
      continue;
    }
    stages.push({ status: entry.status, at: entry.at, ...(entry.note ? { note: entry.note } : {}), steps: [] });
  }
  return stages;
}
