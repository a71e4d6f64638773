import { LeaseLostError, type OwnershipFence } from '../../../scripts/relay/lease-lost.ts';

/**
 * A lease that a test takes away: while `isLost()` says so, assertCurrent throws LeaseLostError as
 * the real lease does.
 */
export function fenceLostWhen(isLost: () => boolean): OwnershipFence {
  return {
    assertCurrent: () => {
      if (isLost()) throw new LeaseLostError('00D000000000001EAA', 3, 'expired');
    }
  };
}
