import type { AuthFlow } from './credentials-bundle.ts';

/** What a failed token request most likely means, and what to do about it. */
export interface Diagnosis {
  /** stable identifier, used in `--json` output and by tests */
  code: string;
  cause: string;
  actions: string[];
  /** true when waiting and retrying is the right response (app still propagating) */
  retryable: boolean;
}

const CHECK_POLICIES =
  'In Setup > External Client App Manager > Tethr_Integration > Policies (or `tethr-sf app-policies --target-org <org>`), check the OAuth policies.';

/**
 * Maps Salesforce's OAuth error bodies ({"error": ..., "error_description": ...}) to a cause.
 * The descriptions are the strings Salesforce returns today; they are matched loosely (lower
 * case, substring) because Salesforce has changed their wording before.
 */
export function diagnoseTokenError(
  error: string,
  description: string,
  flow: AuthFlow,
  status: number
): Diagnosis {
  const text = description.toLowerCase();
  if (error === 'invalid_client_id') {
    return {
      code: 'app-propagating',
      cause:
        'Salesforce does not know this consumer key (yet). A new or changed app takes 2 to 10 minutes to propagate.',
      actions: [
        'Wait up to 10 minutes and run `tethr-sf doctor` again.',
        'If it still fails after 10 minutes, the consumer key is wrong: run `tethr-sf credentials --target-org <org>` to write a fresh bundle.'
      ],
      retryable: true
    };
  }
  if (error === 'invalid_client') {
    return {
      code: 'wrong-secret',
      cause: 'The consumer secret does not match the consumer key.',
      actions: [
        'Run `tethr-sf credentials --target-org <org>` to read the current key and secret into a new bundle.',
        'If the secret was rotated (staged credentials), finish or cancel the rotation in the app settings.'
      ],
      retryable: false
    };
  }
  if (text.includes('request not supported on this domain')) {
    return {
      code: 'wrong-domain',
      cause:
        "The token request went to a host that does not accept this flow. The client credentials flow works only on the org's My Domain host, not login.salesforce.com or test.salesforce.com.",
      actions: [
        'Set myDomainUrl in the bundle to https://<your-domain>.my.salesforce.com (Setup > My Domain).'
      ],
      retryable: false
    };
  }
  if (text.includes('no client credentials user enabled') || text.includes('client credentials')) {
    return {
      code: 'no-run-as-user',
      cause: 'The client credentials flow is not enabled for the app, or it has no run-as user.',
      actions: [
        `${CHECK_POLICIES} Enable the client credentials flow and set the run-as user to the integration user.`
      ],
      retryable: false
    };
  }
  if (text.includes('ip restricted') || text.includes('login hours')) {
    return {
      code: 'ip-restricted',
      cause: "Salesforce refused the caller's IP address (or the user's login hours).",
      actions: [
        `${CHECK_POLICIES} Set IP Relaxation to "Relax IP restrictions" (Bypass).`,
        "Or add Tethr's egress IP ranges to the integration user's profile Login IP Ranges."
      ],
      retryable: false
    };
  }
  if (text.includes("hasn't approved this consumer") || text.includes('not admin approved')) {
    return {
      code: 'not-admin-approved',
      cause: 'The integration user is not pre-authorized for the app.',
      actions: [
        `${CHECK_POLICIES} Permitted Users must be "Admin approved users are pre-authorized" and list the permission set Tethr_Integration_User.`,
        'Check that the integration user has the permission set Tethr_Integration_User (`tethr-sf integration-user --target-org <org>`).'
      ],
      retryable: false
    };
  }
  if (text.includes('password') && text.includes('expired')) {
    return {
      code: 'password-expired',
      cause: "The integration user's password has expired.",
      actions: [
        'Reset the password of the integration user, then update password and securityToken in the bundle.',
        'Better: move to the client credentials flow (External Client App), which needs no user password.'
      ],
      retryable: false
    };
  }
  if (text.includes('api') && (text.includes('disabled') || text.includes('not enabled'))) {
    return {
      code: 'api-disabled',
      cause: 'The integration user is not allowed to use the API (API Enabled permission missing).',
      actions: [
        'Give the integration user the "API Enabled" permission: the permission set Tethr_Integration_User grants it; run `tethr-sf integration-user --target-org <org>`.'
      ],
      retryable: false
    };
  }
  if (error === 'unsupported_grant_type') {
    return flow === 'password'
      ? passwordFlowBlocked()
      : {
          code: 'grant-not-supported',
          cause: 'Salesforce does not accept the client credentials grant for this app.',
          actions: [`${CHECK_POLICIES} Enable the client credentials flow.`],
          retryable: false
        };
  }
  if (error === 'invalid_grant' && text.includes('authentication failure')) {
    if (flow === 'password') {
      return {
        code: 'password-flow-failed',
        cause:
          "Salesforce rejected the username-password login. In orgs created since Summer '23 the username-password flow is blocked by default; otherwise the password or security token is wrong or expired.",
        actions: [
          "Open the integration user's Login History in Setup: its Status column names the exact reason.",
          'If the flow is blocked: Setup > OAuth and OpenID Connect Settings > allow OAuth Username-Password Flows (the flow is being retired; prefer the External Client App).',
          'If the password or token changed: update password and securityToken in the bundle.'
        ],
        retryable: false
      };
    }
    return {
      code: 'authentication-failure',
      cause:
        'Salesforce rejected the client credentials login (run-as user inactive, frozen or not API-only).',
      actions: [
        `${CHECK_POLICIES} Check the run-as user, and that the user is active.`,
        "Open the integration user's Login History in Setup for the exact reason."
      ],
      retryable: false
    };
  }
  if (status >= 500) {
    return {
      code: 'salesforce-unavailable',
      cause: `Salesforce answered with HTTP ${status}.`,
      actions: ['Check https://status.salesforce.com and try again later.'],
      retryable: true
    };
  }
  return {
    code: 'unknown',
    cause: `Salesforce refused the token request (${error || `HTTP ${status}`}).`,
    actions: ["Open the integration user's Login History in Setup for the reason Salesforce recorded."],
    retryable: false
  };
}

function passwordFlowBlocked(): Diagnosis {
  return {
    code: 'password-flow-blocked',
    cause: "The org does not accept the OAuth username-password flow (blocked by default since Summer '23).",
    actions: [
      'Use the External Client App and the client credentials flow: `tethr-sf setup --target-org <org>`.',
      'Only if you must: Setup > OAuth and OpenID Connect Settings > allow OAuth Username-Password Flows.'
    ],
    retryable: false
  };
}
