import { LightningElement, api, wire } from 'lwc';
import { getObjectInfos } from 'lightning/uiObjectInfoApi';
import { gql, graphql, refreshGraphQL } from 'lightning/graphql';
import { allObjects, channelsIn, needsFieldPermission, readsFor } from 'c/tethrChannels';
import { COMMAND_NAMES, PLUGIN_INSTALL, orgCommand } from 'c/tethrCommands';
import { namespaceOf } from 'c/tethrConversationEvent';
import { errorMessage, format } from 'c/tethrText';
import TITLE from '@salesforce/label/c.Tethr_Access_Title';
import INTRO from '@salesforce/label/c.Tethr_Access_Intro';
import LOADING from '@salesforce/label/c.Tethr_Access_Loading';
import CHECKING from '@salesforce/label/c.Tethr_Access_Checking';
import ERROR from '@salesforce/label/c.Tethr_Access_Error';
import COMPLETE from '@salesforce/label/c.Tethr_Access_Complete';
import MISSING from '@salesforce/label/c.Tethr_Access_Missing';
import NO_USER from '@salesforce/label/c.Tethr_Access_No_User';
import CANNOT_TELL from '@salesforce/label/c.Tethr_Access_Cannot_Tell';
import COLUMN_OBJECT from '@salesforce/label/c.Tethr_Access_Column_Object';
import COLUMN_FIELDS from '@salesforce/label/c.Tethr_Access_Column_Fields';
import COLUMN_STATUS from '@salesforce/label/c.Tethr_Access_Column_Status';
import TABLE_CAPTION from '@salesforce/label/c.Tethr_Access_Table_Caption';
import STATUS_GRANTED from '@salesforce/label/c.Tethr_Access_Status_Granted';
import STATUS_MISSING from '@salesforce/label/c.Tethr_Access_Status_Missing';
import STATUS_UNKNOWN from '@salesforce/label/c.Tethr_Access_Status_Unknown';
import STATUS_NEEDED from '@salesforce/label/c.Tethr_Access_Status_Needed';
import MISSING_OBJECT from '@salesforce/label/c.Tethr_Access_Missing_Object';
import MISSING_FIELDS from '@salesforce/label/c.Tethr_Access_Missing_Fields';
import OBJECT_HIDDEN from '@salesforce/label/c.Tethr_Access_Object_Hidden';
import OBJECT_ONLY from '@salesforce/label/c.Tethr_Access_Object_Only';
import FLOW_TITLE from '@salesforce/label/c.Tethr_Access_Flow_Title';
import FLOW_HINT from '@salesforce/label/c.Tethr_Access_Flow_Hint';
import FLOW_START from '@salesforce/label/c.Tethr_Access_Flow_Start';
import FLOW_DONE from '@salesforce/label/c.Tethr_Access_Flow_Done';
import FLOW_FAILED from '@salesforce/label/c.Tethr_Access_Flow_Failed';
import FLOW_ERROR from '@salesforce/label/c.Tethr_Access_Flow_Error';
import MANUAL_TITLE from '@salesforce/label/c.Tethr_Access_Manual_Title';
import MANUAL_USER from '@salesforce/label/c.Tethr_Manual_Step_User';
import MANUAL_PSL from '@salesforce/label/c.Tethr_Manual_Step_Psl';
import MANUAL_PERMISSION_SET from '@salesforce/label/c.Tethr_Manual_Step_Permission_Set';
import MANUAL_OBJECT from '@salesforce/label/c.Tethr_Manual_Step_Object';
import MANUAL_OBJECT_NO_FIELDS from '@salesforce/label/c.Tethr_Manual_Step_Object_No_Fields';
import MANUAL_ASSIGN from '@salesforce/label/c.Tethr_Manual_Step_Assign';
import CLI_HINT from '@salesforce/label/c.Tethr_Cli_Hint';
import OPEN_PERMISSION_SETS from '@salesforce/label/c.Tethr_Link_Permission_Sets';

/** The packaged screen flow that creates the user and its access (force-app/main/default/flows). */
export const SETUP_FLOW = 'Tethr_Set_Up_Integration_User';
/** The unpackaged permission set the flow (and `sf tethr access`) creates: never namespaced. */
export const ACCESS_PERMISSION_SET = 'Tethr_Integration_Access';
export const CLI_COMMAND = `${PLUGIN_INSTALL}\n${orgCommand(COMMAND_NAMES.access)}`;
const OBJECTS = allObjects();
const OK = 200;
const FORBIDDEN = 403;
const FLOW_FINISHED = ['FINISHED', 'FINISHED_SCREEN'];

const STATE = {
  loading: 'loading',
  error: 'error',
  noUser: 'noUser',
  checking: 'checking',
  complete: 'complete',
  missing: 'missing',
  cannotTell: 'cannotTell'
};

/**
 * Which objects and fields the integration user needs in THIS org (only for the channels the
 * org has: UI API object info tells which conversation objects exist) and whether it has them:
 * its object and field permissions, read through lightning/graphql from every permission set
 * assigned to it. When the page cannot tell, it says so and still lists what is needed.
 *
 * Offers three ways to grant the access: the packaged screen flow Tethr_Set_Up_Integration_User
 * (no command line), `sf tethr access`, or the click path for this org's objects and fields.
 */
export default class TethrAccess extends LightningElement {
  /** The integration user the page found, and what the integration-user section knows. */
  @api integrationUserId;
  @api integrationUsername;
  @api integrationUserState;

  labels = {
    title: TITLE,
    intro: INTRO,
    loading: LOADING,
    checking: CHECKING,
    error: ERROR,
    complete: COMPLETE,
    missing: MISSING,
    noUser: NO_USER,
    cannotTell: CANNOT_TELL,
    columnObject: COLUMN_OBJECT,
    columnFields: COLUMN_FIELDS,
    columnStatus: COLUMN_STATUS,
    tableCaption: TABLE_CAPTION,
    flowTitle: FLOW_TITLE,
    flowHint: FLOW_HINT,
    flowStart: FLOW_START,
    manualTitle: MANUAL_TITLE,
    cliHint: CLI_HINT,
    openPermissionSets: OPEN_PERMISSION_SETS
  };
  cliCommand = CLI_COMMAND;
  permissionSetsUrl = '/lightning/setup/PermSets/home';

  objectInfos;
  objectInfoError;
  permissions;
  permissionError;
  permissionResult;
  showFlow = false;
  flowOutcome;
  flowOutcomeText;

  @wire(getObjectInfos, { objectApiNames: OBJECTS })
  wiredObjectInfos({ data, error }) {
    if (data) {
      this.objectInfos = new Map(OBJECTS.map((apiName, index) => [apiName, data.results[index]]));
      this.objectInfoError = undefined;
    } else if (error) {
      this.objectInfos = undefined;
      this.objectInfoError = errorMessage(error);
    }
  }

  // Every permission set assigned to the user (its profile's included) through a semi-join, so
  // one query answers "can this user read X" whichever permission set grants it. UNCONFIRMED that
  // UI API GraphQL serves ObjectPermissions and FieldPermissions in every org: if not, the errors
  // arrive here and the section shows "cannot tell" with Salesforce's message.
  @wire(graphql, {
    query: gql`
      query tethrIntegrationAccess($userId: ID, $objects: [Picklist]) {
        uiapi {
          query {
            ObjectPermissions(
              first: 200
              where: {
                and: [
                  { SobjectType: { in: $objects } }
                  {
                    ParentId: {
                      inq: {
                        PermissionSetAssignment: { AssigneeId: { eq: $userId } }
                        ApiName: "PermissionSetId"
                      }
                    }
                  }
                ]
              }
            ) {
              edges {
                node {
                  SobjectType {
                    value
                  }
                  PermissionsRead {
                    value
                  }
                }
              }
            }
            FieldPermissions(
              first: 2000
              where: {
                and: [
                  { SobjectType: { in: $objects } }
                  {
                    ParentId: {
                      inq: {
                        PermissionSetAssignment: { AssigneeId: { eq: $userId } }
                        ApiName: "PermissionSetId"
                      }
                    }
                  }
                ]
              }
            ) {
              edges {
                node {
                  Field {
                    value
                  }
                  PermissionsRead {
                    value
                  }
                }
              }
            }
          }
        }
      }
    `,
    variables: '$permissionVariables'
  })
  wiredPermissions(result) {
    this.permissionResult = result;
    const { data, errors } = result;
    if (errors) {
      this.permissions = undefined;
      this.permissionError = errorMessage(errors);
    } else if (data && data.uiapi.query.ObjectPermissions && data.uiapi.query.FieldPermissions) {
      this.permissionError = undefined;
      this.permissions = toPermissions(data.uiapi.query);
    }
  }

  /** Undefined until there is a user to check: the query then does not run. */
  get permissionVariables() {
    if (!this.integrationUserId || !this.objectInfos) {
      return undefined;
    }
    return { userId: this.integrationUserId, objects: this.requiredReads.map((read) => read.object) };
  }

  get namespace() {
    return namespaceOf(this.template.host);
  }

  /** The channels whose object exists in this org (readable by the admin or not). */
  get presentChannels() {
    if (!this.objectInfos) {
      return [];
    }
    const present = new Set(
      [...this.objectInfos.entries()]
        .filter(([, result]) => result && (result.statusCode === OK || result.statusCode === FORBIDDEN))
        .map(([apiName]) => apiName)
    );
    return channelsIn(present);
  }

  /** Per object the org has: the fields that need a field permission, or hidden if the admin cannot see it. */
  get requiredReads() {
    return readsFor(this.presentChannels)
      .map(({ object, fields }) => {
        const result = this.objectInfos.get(object);
        const info = result && result.statusCode === OK ? result.result : undefined;
        const exists = result && (result.statusCode === OK || result.statusCode === FORBIDDEN);
        const fieldInfos = (info && info.fields) || {};
        return {
          object,
          exists,
          hidden: !info,
          fields: fields.filter((field) => needsFieldPermission(object, field, fieldInfos[field]))
        };
      })
      .filter((read) => read.exists);
  }

  get state() {
    if (this.objectInfoError !== undefined) {
      return STATE.error;
    }
    if (!this.objectInfos) {
      return STATE.loading;
    }
    if (!this.integrationUserId) {
      return this.integrationUserState === 'loading' || this.integrationUserState === undefined
        ? STATE.loading
        : STATE.noUser;
    }
    if (this.permissionError !== undefined) {
      return STATE.cannotTell;
    }
    if (!this.permissions) {
      return STATE.checking;
    }
    return this.rows.every((row) => row.granted) ? STATE.complete : STATE.missing;
  }

  get rows() {
    return this.requiredReads.map((read) => {
      const checked = Boolean(this.permissions) && !read.hidden;
      const objectGranted = checked && this.permissions.objects.has(read.object);
      const missingFields = checked
        ? read.fields.filter((field) => !this.permissions.fields.has(`${read.object}.${field}`))
        : read.fields;
      const granted = checked && objectGranted && missingFields.length === 0;
      let status = STATUS_NEEDED;
      let tone = 'weak';
      if (this.permissions && read.hidden) {
        status = STATUS_UNKNOWN;
        tone = 'warning';
      } else if (checked) {
        status = granted ? STATUS_GRANTED : STATUS_MISSING;
        tone = granted ? 'success' : 'error';
      }
      let note;
      if (read.hidden) {
        note = format(OBJECT_HIDDEN, read.object);
      } else if (checked && !objectGranted) {
        note = format(MISSING_OBJECT, read.object);
      } else if (checked && missingFields.length) {
        note = format(MISSING_FIELDS, read.object, missingFields.join(', '));
      }
      return {
        key: read.object,
        object: read.object,
        fields: read.fields.length ? read.fields.join(', ') : OBJECT_ONLY,
        granted,
        missingFields,
        objectGranted,
        status,
        note,
        statusClass: tone === 'weak' ? 'slds-text-color_weak' : `slds-text-color_${tone}`,
        iconName: { success: 'utility:success', error: 'utility:error', warning: 'utility:warning' }[tone],
        iconVariant: tone === 'weak' ? undefined : tone
      };
    });
  }

  get isLoading() {
    return this.state === STATE.loading || this.state === STATE.checking;
  }

  get loadingText() {
    return this.state === STATE.checking ? CHECKING : LOADING;
  }

  get hasError() {
    return this.state === STATE.error;
  }

  get showTable() {
    return this.state !== STATE.loading && this.state !== STATE.error;
  }

  get isComplete() {
    return this.state === STATE.complete;
  }

  get isMissing() {
    return this.state === STATE.missing;
  }

  get isNoUser() {
    return this.state === STATE.noUser;
  }

  get isCannotTell() {
    return this.state === STATE.cannotTell;
  }

  get missingSummary() {
    return this.rows
      .filter((row) => row.note && !row.granted)
      .map((row) => ({ key: row.object, text: row.note }));
  }

  /** The ways to grant access: shown whenever the access is not known to be complete. */
  get showRemedies() {
    return [STATE.noUser, STATE.missing, STATE.cannotTell].includes(this.state);
  }

  /** Namespaced inside the package (tethr__Tethr_Set_Up_Integration_User). UNCONFIRMED for lightning-flow. */
  get flowApiName() {
    return this.namespace ? `${this.namespace}__${SETUP_FLOW}` : SETUP_FLOW;
  }

  /** What the flow grants: only what is missing when the page could check, everything otherwise. */
  get flowInputVariables() {
    const known = this.state === STATE.missing;
    const rows = this.rows.filter((row) => !row.hidden && (!known || !row.granted));
    return [
      { name: 'objectNames', type: 'String', value: rows.map((row) => row.object) },
      {
        name: 'fieldNames',
        type: 'String',
        value: rows.flatMap((row) => this.flowFieldsOf(row, known))
      },
      { name: 'existingUsername', type: 'String', value: this.integrationUsername || '' },
      { name: 'accessPermissionSetName', type: 'String', value: ACCESS_PERMISSION_SET }
    ];
  }

  /** Object.Field names for the flow: the missing ones when the page could check, else all. */
  flowFieldsOf(row, onlyMissing) {
    if (onlyMissing) {
      return row.missingFields.map((field) => `${row.object}.${field}`);
    }
    return this.fieldsOf(row.object);
  }

  fieldsOf(object) {
    const read = this.requiredReads.find((candidate) => candidate.object === object);
    return read ? read.fields.map((field) => `${object}.${field}`) : [];
  }

  /** The click path for this org: its objects and fields, skipping the user steps when the user exists. */
  get manualSteps() {
    const steps = [];
    if (!this.integrationUserId) {
      steps.push(MANUAL_USER, MANUAL_PSL);
    }
    steps.push(format(MANUAL_PERMISSION_SET, ACCESS_PERMISSION_SET));
    for (const read of this.requiredReads) {
      steps.push(
        read.fields.length
          ? format(MANUAL_OBJECT, read.object, read.fields.join(', '))
          : format(MANUAL_OBJECT_NO_FIELDS, read.object)
      );
    }
    steps.push(MANUAL_ASSIGN);
    return steps.map((text, index) => ({ key: `step-${index}`, text }));
  }

  get flowSucceeded() {
    return this.flowOutcome === 'done';
  }

  get flowFailed() {
    return this.flowOutcome === 'failed';
  }

  handleStartFlow() {
    this.flowOutcome = undefined;
    this.flowOutcomeText = undefined;
    this.showFlow = true;
  }

  handleFlowStatus(event) {
    const { status, outputVariables } = event.detail;
    if (status === 'ERROR') {
      this.finishFlow('failed', format(FLOW_ERROR, ''));
      return;
    }
    if (!FLOW_FINISHED.includes(status)) {
      return;
    }
    const outputs = Object.fromEntries((outputVariables || []).map((output) => [output.name, output.value]));
    if (outputs.failedStep) {
      this.finishFlow('failed', format(FLOW_FAILED, outputs.failedStep, outputs.faultMessage || ''));
      return;
    }
    this.finishFlow('done', format(FLOW_DONE, outputs.integrationUsername || this.integrationUsername || ''));
    this.dispatchEvent(
      new CustomEvent('accesschange', { detail: { username: outputs.integrationUsername } })
    );
    if (this.permissionResult) {
      refreshGraphQL(this.permissionResult);
    }
  }

  finishFlow(outcome, text) {
    this.showFlow = false;
    this.flowOutcome = outcome;
    this.flowOutcomeText = text;
    // The flow and its buttons are gone: keep keyboard users in this section, on its heading.
    // By data-id, not tag: inside the package the tag carries the namespace (tethr-tethr-section).
    this.template.querySelector('[data-id="section"]').focusHeading();
  }
}

/** Object and field permissions granted by any of the user's permission sets, as sets of names. */
function toPermissions(query) {
  const objects = new Set(
    query.ObjectPermissions.edges
      .map((edge) => edge.node)
      .filter((node) => node.PermissionsRead && node.PermissionsRead.value)
      .map((node) => node.SobjectType.value)
  );
  const fields = new Set(
    query.FieldPermissions.edges
      .map((edge) => edge.node)
      .filter((node) => node.PermissionsRead && node.PermissionsRead.value)
      .map((node) => node.Field.value)
  );
  return { objects, fields };
}
