/** A finding that fails validation, at a place in a file (path relative to the project, 1-based line and column). */
export type Problem = {
  file: string;
  line: number;
  column: number;
  message: string;
};

/** The result of one check: how many items it looked at, which problems it found, and how long it took. */
export type CheckResult = {
  name: string;
  /** What `checked` counts, e.g. "files", "flows", "references". */
  unit: string;
  checked: number;
  problems: Problem[];
  durationMs: number;
  /** Short remarks for the report, e.g. files ignored on purpose by .forceignore. */
  notes: string[];
};

export async function timed(
  name: string,
  unit: string,
  run: () => Promise<{ checked: number; problems: Problem[]; notes?: string[] }>
): Promise<CheckResult> {
  const start = performance.now();
  const { checked, problems, notes } = await run();
  return {
    name,
    unit,
    checked,
    problems,
    notes: notes ?? [],
    durationMs: Math.round(performance.now() - start)
  };
}
