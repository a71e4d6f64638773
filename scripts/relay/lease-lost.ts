/**
 * This replica no longer owns the org: its lease expired (a pause, a partition, a slow database)
 * or another replica claimed it with a newer epoch. Whatever was in flight is abandoned: no
 * checkpoint write and no delivery may follow. Not a failure of the org; the service stops the
 * org's relay and lets the current owner carry on.
 */
export class LeaseLostError extends Error {
  constructor(
    readonly orgId: string,
    readonly epoch: number,
    detail: string
  ) {
    super(`lease on org ${orgId} (epoch ${epoch}) lost: ${detail}`);
    this.name = 'LeaseLostError';
  }
}

/** What a relay checks before it hands anything to a sink: is this replica still the owner? */
export interface OwnershipFence {
  /** throws LeaseLostError when the lease is gone (checked on the monotonic clock, no I/O) */
  assertCurrent(): void;
}
