// API names fixed in metadata and shared by the packages, the tooling, the relay and the setup
// page (which repeats the event and field names in its own JavaScript, as the LWC may not import
// from here). Namespace handling lives next to them: inside the managed package every custom
// component carries the `tethr__` prefix; deployed unpackaged (scratch orgs) it carries none.

export const PACKAGE_NAMESPACE = 'tethr';

/** '' when the metadata is deployed unpackaged, 'tethr' when it came with the managed package. */
export type Namespace = typeof PACKAGE_NAMESPACE | '';

export const EVENT_OBJECT = 'Conversation_Closed__e';
export const EVENT_FIELDS = [
  'Record_Id__c',
  'Object_Type__c',
  'Closed_At__c',
  'Case_Id__c',
  'Channel__c'
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

export const CHANNEL_SWITCH_TYPE = 'Tethr_Channel__mdt';
export const CHANNEL_SWITCH_FIELD = 'Enabled__c';

/** Packaged permission sets: custom objects, custom fields, app, tab and custom permissions only. */
export const INTEGRATION_PERMISSION_SET = 'Tethr_Integration_User';
export const ADMIN_PERMISSION_SET = 'Tethr_Admin';

/**
 * Generated per org by the tooling and deployed unpackaged (never namespaced): what a package
 * cannot carry, standard-object and user permissions, for exactly the objects the org has.
 */
export const INTEGRATION_ACCESS_PERMISSION_SET = 'Tethr_Integration_Access';
export const ADMIN_ACCESS_PERMISSION_SET = 'Tethr_Admin_Access';

/**
 * Marks the integration user the tooling and the setup page's flow create, so a later run (of either)
 * finds and reuses it instead of creating a second one. The flow repeats it in its metadata; a test
 * compares the two.
 */
export const INTEGRATION_USER_ALIAS = 'tethrint';

/** The OAuth app: an External Client App (2026 default) or the seed-era Connected App (legacy). */
export const ECA_NAME = 'Tethr_Integration';
export const CONNECTED_APP_NAME = 'Tethr_Connected_App';

export const SETUP_APP = 'Tethr';
export const SETUP_TAB = 'Tethr_Setup';
export const PUBLISH_FAILURE_FLOW = 'Tethr_Notify_Publish_Failure';

/** `Name` qualified with the namespace prefix when there is one: tethr__Conversation_Closed__e. */
export function qualify(name: string, namespace: Namespace | string): string {
  return namespace ? `${namespace}__${name}` : name;
}

/** The name without any namespace prefix: tethr__Record_Id__c -> Record_Id__c. */
export function unqualify(name: string): string {
  return name.replace(/^[A-Za-z0-9]+__(?=.+__[a-z]+$)/, '');
}

/** The Pub/Sub topic of the event: /event/tethr__Conversation_Closed__e inside the package. */
export function eventTopicFor(namespace: Namespace | string): string {
  return `/event/${qualify(EVENT_OBJECT, namespace)}`;
}

export function isNamespace(value: unknown): value is Namespace {
  return value === PACKAGE_NAMESPACE || value === '';
}
