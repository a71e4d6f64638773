import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONNECTED_APP_NAME,
  ECA_NAME,
  INTEGRATION_ACCESS_PERMISSION_SET,
  qualify
} from '../contracts/api-names.ts';
import { PACKAGES } from '../contracts/packages.ts';
import { PACKAGE_DIR, PROJECT_DIR, type DeployRequest } from './deploy.ts';

const ECA_DIR = 'unpackaged/external-client-app';
const LEGACY_DIR = 'unpackaged/legacy-connected-app';
/** The Messaging extension's package directory: deployed unpackaged only where MessagingSession exists. */
export const MESSAGING_PACKAGE_DIR = PACKAGES.messaging.directory;

export { CONNECTED_APP_NAME, ECA_NAME };

/**
 * Only used as the OAuth redirect_uri that the metadata requires: the client credentials flow
 * never redirects. This Salesforce page is the usual placeholder for apps without a web UI.
 */
export const DEFAULT_CALLBACK_URL = 'https://login.salesforce.com/services/oauth2/success';

export interface PackageDeployOptions {
  legacyConnectedApp: boolean;
  callbackUrl: string;
  contactEmail: string;
  /** the org has MessagingSession: the extension's metadata deploys too */
  withMessaging: boolean;
}

/** The package directories an unpackaged deploy takes for this org. */
export function packageDirectories(withMessaging: boolean): string[] {
  const dirs = [PACKAGE_DIR];
  if (withMessaging && existsSync(join(PROJECT_DIR, MESSAGING_PACKAGE_DIR))) dirs.push(MESSAGING_PACKAGE_DIR);
  return dirs;
}

/**
 * The unpackaged deploy of the package source: the ECA header as `Local` (an org-local app that
 * gets its own consumer, via the sfdx-project.json replacement), its global OAuth settings and
 * app policies. The per-org OAuth policies need the integration user and are deployed by
 * `appPoliciesDeploy` afterwards. With the legacy Connected App, the ECA is left out.
 */
export function packageDeploy(options: PackageDeployOptions): DeployRequest {
  if (options.legacyConnectedApp) {
    return {
      sourcePaths: packageDirectories(options.withMessaging),
      excludeTypes: ['ExternalClientApplication', 'ExtlClntAppOauthSettings'],
      templates: [
        {
          templatePath: `${LEGACY_DIR}/connectedApps/${CONNECTED_APP_NAME}.connectedApp-meta.xml`,
          values: { TETHR_CONTACT_EMAIL: options.contactEmail, TETHR_OAUTH_CALLBACK_URL: options.callbackUrl }
        }
      ],
      step: 'Deploy metadata'
    };
  }
  return {
    sourcePaths: packageDirectories(options.withMessaging),
    templates: [
      {
        templatePath: `${ECA_DIR}/extlClntAppGlobalOauthSets/${ECA_NAME}.ecaGlblOauth-meta.xml`,
        values: { TETHR_OAUTH_CALLBACK_URL: options.callbackUrl }
      },
      { templatePath: `${ECA_DIR}/extlClntAppPolicies/${ECA_NAME}.ecaPlcy-meta.xml`, values: {} }
    ],
    replacementEnv: { TETHR_ECA_DISTRIBUTION_STATE: 'Local' },
    step: 'Deploy metadata'
  };
}

export const EXTERNAL_CLIENT_APP_SETTINGS = `<?xml version="1.0" encoding="UTF-8"?>
<ExternalClientAppSettings xmlns="http://soap.sforce.com/2006/04/metadata">
  <enableClientSecretInRestApiAccess>true</enableClientSecretInRestApiAccess>
</ExternalClientAppSettings>
`;

/**
 * The per-org OAuth policies (run-as user, admin-approved via the access permission set, IP
 * relaxation) and, for an org-local app only, the org setting that lets the credentials REST API
 * return the org's own consumer secret. `permissionSetReference` replaces the permission set's
 * API name (e.g. by its Id).
 */
export function appPoliciesDeploy(
  integrationUsername: string,
  namespace: string,
  permissionSetReference?: string,
  options: { readableSecret: boolean } = { readableSecret: !namespace }
): DeployRequest {
  const prefix = namespace ? `${namespace}__` : '';
  const permissionSet = permissionSetReference ?? INTEGRATION_ACCESS_PERMISSION_SET;
  return {
    sourcePaths: [],
    templates: [
      {
        templatePath: `${ECA_DIR}/extlClntAppOauthPolicies/${ECA_NAME}.ecaOauthPlcy-meta.xml`,
        values: { TETHR_INTEGRATION_USERNAME: integrationUsername },
        // In an org with the installed package the app and permission set carry the namespace
        // (UNCONFIRMED for subscriber-owned ECA policies; a wrong name fails the deploy loudly).
        ...(prefix ? { targetFileName: `${prefix}${ECA_NAME}.ecaOauthPlcy-meta.xml` } : {}),
        rewrites: [
          [
            `<externalClientApplication>${ECA_NAME}<`,
            `<externalClientApplication>${qualify(ECA_NAME, namespace)}<`
          ],
          [
            `<commaSeparatedPermissionSet>${INTEGRATION_ACCESS_PERMISSION_SET}<`,
            `<commaSeparatedPermissionSet>${permissionSet}<`
          ]
        ]
      }
    ],
    // The packaged app's secret is Tethr's and never readable in the org: no setting for it.
    generated: options.readableSecret
      ? [{ target: 'settings/ExternalClientApp.settings-meta.xml', content: EXTERNAL_CLIENT_APP_SETTINGS }]
      : [],
    step: 'Deploy OAuth policies'
  };
}
