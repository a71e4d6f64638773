/**
 * The connection file `tethr-salesforce-connection/v2` as the setup page writes it, for the
 * installed package (app "packaged"): the one file a customer sends Tethr. It names the org, its
 * My Domain and the integration user, and holds NO secret field at all, because the packaged
 * External Client App's consumer lives in Tethr's Dev Hub and Tethr holds its credential itself.
 *
 * Source of truth: scripts/contracts/connection-file.ts (the LWC cannot import it);
 * test/contracts/lwc-connection-file.test.ts runs what this module builds through the contract's
 * own parser, so a field that drifts fails there.
 */

export const CONNECTION_SCHEMA = 'tethr-salesforce-connection/v2';
/** The API version the package is built for (sfdx-project.json sourceApiVersion). */
export const API_VERSION = '66.0';
/** Salesforce rates JWT bearer lower risk: the private key never leaves Tethr. */
export const DEFAULT_AUTH_FLOW = 'jwt_bearer';
export const AUTH_FLOWS = ['jwt_bearer', 'client_credentials'];

const ORG_ID = /^00D[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/;

/** Whether a string is a Salesforce organization id (15 or 18 characters, prefix 00D). */
export function isOrgId(value) {
  return typeof value === 'string' && ORG_ID.test(value);
}

/**
 * Sandboxes and scratch orgs have their own My Domain hosts (acme--uat.sandbox.my.salesforce.com,
 * x.scratch.lightning.force.com): the fallback when the org record cannot be read.
 */
export function isSandboxHost(hostname) {
  return /\.(sandbox|scratch)\.(my\.salesforce|lightning\.force)\.com$/.test(String(hostname || ''));
}

/**
 * The pieces still missing before the file can be sent, by name: orgId, integrationUsername,
 * channels. An empty list means the file is complete.
 */
export function missingPieces(facts) {
  const missing = [];
  if (!isOrgId(facts.orgId)) {
    missing.push('orgId');
  }
  if (!facts.integrationUsername) {
    missing.push('integrationUsername');
  }
  if (!facts.channels || facts.channels.length === 0) {
    missing.push('channels');
  }
  return missing;
}

/** The file, with its fields in the contract's order. */
export function buildConnectionFile(facts) {
  return {
    schema: CONNECTION_SCHEMA,
    orgId: facts.orgId,
    instanceUrl: facts.instanceUrl,
    isSandbox: Boolean(facts.isSandbox),
    namespace: facts.namespace,
    integrationUsername: facts.integrationUsername,
    channels: [...facts.channels],
    app: 'packaged',
    authFlow: AUTH_FLOWS.includes(facts.authFlow) ? facts.authFlow : DEFAULT_AUTH_FLOW,
    apiVersion: API_VERSION,
    createdAt: facts.createdAt
  };
}

/** The file as text: two-space JSON with a final newline, the way the CLI writes it. */
export function connectionFileText(file) {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** A download link that needs no server and no Apex: the file's text as a data: URL. */
export function connectionFileHref(text) {
  return `data:application/json;charset=utf-8,${encodeURIComponent(text)}`;
}

/** tethr-connection-00D....json: one file per org, named so Tethr can tell them apart. */
export function connectionFileName(orgId) {
  return `tethr-connection-${orgId}.json`;
}
