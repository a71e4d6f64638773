import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core/sfError';
import { BUNDLE_SCHEMA, eventTopicFor, parseBundle, type CredentialsBundle } from './credentials-bundle.ts';

/** What the org supplies; the schema, event topic and creation time are derived here. */
export type BundleInputs = Omit<CredentialsBundle, 'schema' | 'eventTopic' | 'createdAt'> & { now?: Date };

/** Builds and validates a bundle; the token endpoint is always the org's My Domain. */
export function buildBundle(inputs: BundleInputs): CredentialsBundle {
  if (inputs.channels.length === 0) {
    throw new SfError(
      'Every Tethr channel is switched off in this org, so there is nothing for Tethr to read.',
      'NoChannelEnabled',
      [
        'Enable at least one record of Tethr_Channel__mdt (Setup > Custom Metadata Types > Tethr Channel), then run the command again.'
      ]
    );
  }
  const bundle: CredentialsBundle = {
    schema: BUNDLE_SCHEMA,
    orgId: inputs.orgId,
    myDomainUrl: new URL(inputs.myDomainUrl).origin,
    authFlow: inputs.authFlow,
    consumerKey: inputs.consumerKey,
    consumerSecret: inputs.consumerSecret,
    integrationUsername: inputs.integrationUsername,
    namespace: inputs.namespace,
    eventTopic: eventTopicFor(inputs.namespace),
    apiVersion: inputs.apiVersion,
    channels: inputs.channels,
    createdAt: (inputs.now ?? new Date()).toISOString()
  };
  if (inputs.authFlow === 'password') {
    bundle.password = inputs.password ?? '';
    bundle.securityToken = inputs.securityToken ?? '';
  }
  return parseBundle(bundle, 'built from the org');
}

/** The My Domain origin of the org the connection talks to. */
export function myDomainOf(conn: Connection): string {
  return new URL(conn.instanceUrl).origin;
}
