import { status, type ServiceError } from '@grpc/grpc-js';

// Pub/Sub puts its own error code in the gRPC trailers under "error-code" (Salesforce: Pub/Sub API
// "Handle Errors" and "Retry Long-Lived RPC Calls After an Error Occurs").
export const REPLAY_ID_CORRUPTED = 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted';

export type StreamFailure = 'auth' | 'invalid-replay' | 'fatal' | 'transient';

export function pubsubErrorCode(error: unknown): string | undefined {
  const metadata = (error as Partial<ServiceError>).metadata;
  const value = metadata?.get?.('error-code')?.[0];
  return value === undefined ? undefined : String(value);
}

export function classifyStreamError(error: unknown): StreamFailure {
  const code = (error as Partial<ServiceError>).code;
  const errorCode = pubsubErrorCode(error) ?? '';
  if (
    errorCode === REPLAY_ID_CORRUPTED ||
    (/replay\s*id/i.test((error as Error).message ?? '') && code === status.INVALID_ARGUMENT)
  ) {
    return 'invalid-replay';
  }
  if (code === status.UNAUTHENTICATED || errorCode.includes('auth')) return 'auth';
  if (code === status.PERMISSION_DENIED || code === status.NOT_FOUND) return 'fatal';
  return 'transient';
}
