import type { AppVariant, AuthFlow } from '../contracts/connection-file.ts';
import { loadMessages } from '../shared/messages.ts';

/** What a failed token request most likely means, and what to do about it. */
export interface Diagnosis {
  /** stable identifier, used in `--json` output and by tests */
  code: string;
  cause: string;
  actions: string[];
  /** true when waiting and retrying is the right response (app still propagating) */
  retryable: boolean;
}

/** Who asked for the token, which changes what an error means and who can fix it. */
export interface TokenContext {
  flow: AuthFlow;
  app: AppVariant;
  isSandbox: boolean | undefined;
}

const messages = loadMessages('oauth-diagnosis');

/** A diagnosis from messages/oauth-diagnosis.md: `<code>.cause` and `<code>.actions`. */
function diagnosis(code: string, retryable = false, tokens: string[] = []): Diagnosis {
  return {
    code,
    cause: messages.getMessage(`${code}.cause`, tokens),
    actions: messages.getMessages(`${code}.actions`, tokens),
    retryable
  };
}

/**
 * Maps Salesforce's OAuth error bodies ({"error": ..., "error_description": ...}) to a cause.
 * The descriptions are the strings Salesforce returns today; they are matched loosely (lower
 * case, substring) because Salesforce has changed their wording before. Which app variant and
 * flow asked decides the fix: a packaged app's policies are set by the customer's admin, its
 * certificate and secret by Tethr in its Dev Hub.
 */
export function diagnoseTokenError(
  error: string,
  description: string,
  context: TokenContext,
  status: number
): Diagnosis {
  const text = description.toLowerCase();
  const packaged = context.app === 'packaged';
  if (error === 'invalid_client_id' || text.includes('app_not_found')) {
    if (packaged && context.isSandbox) return diagnosis('packaged-sandbox-unlinked', true);
    return diagnosis(packaged ? 'packaged-app-unknown' : 'app-propagating', true);
  }
  if (error === 'invalid_client') return diagnosis(packaged ? 'packaged-wrong-secret' : 'wrong-secret');
  if (text.includes('request not supported on this domain')) return diagnosis('wrong-domain');
  if (context.flow === 'jwt_bearer') {
    if (text.includes('audience')) return diagnosis('jwt-audience');
    if (text.includes("hasn't approved this consumer") || text.includes('not admin approved')) {
      return diagnosis('jwt-not-pre-authorized');
    }
    if (text.includes('invalid assertion') || text.includes('signature')) {
      return diagnosis(packaged ? 'jwt-certificate-mismatch-packaged' : 'jwt-certificate-mismatch');
    }
    if (
      text.includes('user') &&
      (text.includes('invalid') || text.includes('inactive') || text.includes('frozen'))
    ) {
      return diagnosis('jwt-user-invalid');
    }
  }
  if (
    text.includes('no client credentials user enabled') ||
    (text.includes('client credentials') && context.flow === 'client_credentials')
  ) {
    return diagnosis(packaged ? 'packaged-no-run-as-user' : 'no-run-as-user');
  }
  if (text.includes('ip restricted') || text.includes('login hours')) return diagnosis('ip-restricted');
  if (text.includes("hasn't approved this consumer") || text.includes('not admin approved')) {
    return diagnosis('not-admin-approved');
  }
  if (text.includes('password') && text.includes('expired')) return diagnosis('password-expired');
  if (text.includes('api') && (text.includes('disabled') || text.includes('not enabled')))
    return diagnosis('api-disabled');
  if (error === 'unsupported_grant_type') {
    if (context.flow === 'password') return diagnosis('password-flow-blocked');
    return diagnosis(context.flow === 'jwt_bearer' ? 'jwt-not-enabled' : 'grant-not-supported');
  }
  if (error === 'invalid_grant' && text.includes('authentication failure')) {
    return diagnosis(context.flow === 'password' ? 'password-flow-failed' : 'authentication-failure');
  }
  if (status >= 500) return diagnosis('salesforce-unavailable', true, [String(status)]);
  return diagnosis('unknown', false, [error || `HTTP ${status}`]);
}
