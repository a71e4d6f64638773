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
