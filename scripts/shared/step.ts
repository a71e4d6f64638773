import { SfError } from '@salesforce/core/sfError';

/** What one idempotent step did; commands render these as the progress lines and summary table. */
export type StepStatus = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed' | 'passed' | 'warning';

export interface StepResult {
  step: string;
  status: StepStatus;
  detail: string;
}

export type ProgressListener = (event: {
  step: string;
  phase: 'start' | 'end';
  result?: StepResult;
  message?: string;
}) => void;

export const noProgress: ProgressListener = () => undefined;

/**
 * A step that failed. The message is the cause's own (no "Setting up X failed: ..." prefixes);
 * the step is named once, by the summary that renders `steps`; the actions are the cause's plus
 * exactly one way to resume.
 */
export class StepFailedError extends SfError {
  public constructor(
    public readonly step: string,
    public readonly steps: StepResult[],
    public readonly failure: Error & { actions?: string[] },
    resume: string | undefined
  ) {
    super(
      failure.message,
      failure.name,
      [...(failure.actions ?? []), ...(resume ? [resume] : [])],
      1,
      failure
    );
    this.data = { step };
  }
}

/**
 * Runs the steps of a multi-step command: emits progress, records each outcome and, when a step
 * throws, records it as failed and raises one StepFailedError carrying every step so far.
 */
export class StepRunner {
  public readonly steps: StepResult[];

  public constructor(
    private readonly progress: ProgressListener = noProgress,
    private readonly resume?: string,
    earlier: StepResult[] = []
  ) {
    this.steps = [...earlier];
  }

  /** Records a finished step (and tells the progress listener). */
  public record(result: StepResult): StepResult {
    this.steps.push(result);
    this.progress({ step: result.step, phase: 'end', result });
    return result;
  }

  /** Records results a sub-module already reported through the progress listener. */
  public recordQuietly(results: StepResult[]): void {
    this.steps.push(...results);
  }

  public async run<T>(step: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const cause =
        error instanceof StepFailedError ? error.failure : (error as Error & { actions?: string[] });
      const detail = (cause.message ?? String(error)).split('\n')[0] ?? '';
      this.record({ step, status: 'failed', detail });
      throw new StepFailedError(step, this.steps, cause, this.resume);
    }
  }
}
