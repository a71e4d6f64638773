import { LightningElement, api, wire } from 'lwc';
import { getObjectInfo, getPicklistValues } from 'lightning/uiObjectInfoApi';
import { createRecord, deleteRecord, updateRecord } from 'lightning/uiRecordApi';
import CASE_OBJECT from '@salesforce/schema/Case';
import CASE_STATUS_FIELD from '@salesforce/schema/Case.Status';
import CASE_SUBJECT_FIELD from '@salesforce/schema/Case.Subject';
import CASE_DESCRIPTION_FIELD from '@salesforce/schema/Case.Description';
import { sameRecordId } from 'c/tethrConversationEvent';
import { errorMessage, format } from 'c/tethrText';
import TITLE from '@salesforce/label/c.Tethr_Test_Title';
import INTRO from '@salesforce/label/c.Tethr_Test_Intro';
import SEND from '@salesforce/label/c.Tethr_Test_Send';
import LOADING from '@salesforce/label/c.Tethr_Test_Loading';
import CREATING from '@salesforce/label/c.Tethr_Test_Creating';
import CLOSING from '@salesforce/label/c.Tethr_Test_Closing';
import WAITING from '@salesforce/label/c.Tethr_Test_Waiting';
import RECEIVED from '@salesforce/label/c.Tethr_Test_Received';
import TIMED_OUT from '@salesforce/label/c.Tethr_Test_Timed_Out';
import REASON_FLOW from '@salesforce/label/c.Tethr_Test_Reason_Flow';
import REASON_CHANNEL from '@salesforce/label/c.Tethr_Test_Reason_Channel';
import REASON_PERMISSION from '@salesforce/label/c.Tethr_Test_Reason_Permission';
import REASON_STREAMING from '@salesforce/label/c.Tethr_Test_Reason_Streaming';
import FAILED from '@salesforce/label/c.Tethr_Test_Failed';
import NO_CASE_ACCESS from '@salesforce/label/c.Tethr_Test_No_Case_Access';
import NO_CLOSED_STATUS from '@salesforce/label/c.Tethr_Test_No_Closed_Status';
import STREAMING_OFF from '@salesforce/label/c.Tethr_Test_Streaming_Off';
import CLEANED_UP from '@salesforce/label/c.Tethr_Test_Cleaned_Up';
import CLEANUP_FAILED from '@salesforce/label/c.Tethr_Test_Cleanup_Failed';
import CASE_SUBJECT from '@salesforce/label/c.Tethr_Test_Case_Subject';
import CASE_DESCRIPTION from '@salesforce/label/c.Tethr_Test_Case_Description';
import OPEN_FLOWS from '@salesforce/label/c.Tethr_Link_Flows';
import OPEN_CUSTOM_METADATA from '@salesforce/label/c.Tethr_Link_Custom_Metadata';
import OPEN_PERMISSION_SETS from '@salesforce/label/c.Tethr_Link_Permission_Sets';

// A record-triggered flow publishes after commit; on a healthy org the event arrives in a
// second or two. Twenty seconds leaves room for a busy org without making the admin wait long.
export const WAIT_SECONDS = 20;
const LISTENING = 'listening';

const PHASE = {
  idle: 'idle',
  creating: 'creating',
  closing: 'closing',
  waiting: 'waiting',
  received: 'received',
  timedOut: 'timedOut',
  failed: 'failed'
};

export const SETUP_LINKS = {
  flows: '/lightning/setup/Flows/home',
  customMetadata: '/lightning/setup/CustomMetadata/home',
  permissionSets: '/lightning/setup/PermSets/home'
};

/**
 * Proves the whole chain in the org: creates a test Case, closes it with a status the org
 * marks as closed, waits for the Conversation Closed event for that Case to show up in the
 * live list, explains a silence, and deletes the test Case whatever happened.
 */
export default class TethrTestNotification extends LightningElement {
  labels = {
    title: TITLE,
    intro: INTRO,
    send: SEND,
    loading: LOADING,
    received: RECEIVED,
    timedOut: format(TIMED_OUT, WAIT_SECONDS),
    reasonFlow: REASON_FLOW,
    reasonChannel: REASON_CHANNEL,
    reasonPermission: REASON_PERMISSION,
    reasonStreaming: REASON_STREAMING,
    failed: FAILED,
    noCaseAccess: NO_CASE_ACCESS,
    noClosedStatus: NO_CLOSED_STATUS,
    streamingOff: STREAMING_OFF,
    cleanedUp: CLEANED_UP,
    cleanupFailed: CLEANUP_FAILED,
    openFlows: OPEN_FLOWS,
    openCustomMetadata: OPEN_CUSTOM_METADATA,
    openPermissionSets: OPEN_PERMISSION_SETS
  };
  links = SETUP_LINKS;

  @api liveStatus;

  phase = PHASE.idle;
  testCaseId;
  errorDetail;
  cleanupState;
  caseInfo;
  caseInfoError;
  closedStatus;
  statusValuesLoaded = false;
  statusValuesError;
  timeoutId;
  receivedNotifications = [];

  @api
  get notifications() {
    return this.receivedNotifications;
  }
  set notifications(value) {
    this.receivedNotifications = value || [];
    this.checkForArrival();
  }

  @wire(getObjectInfo, { objectApiName: CASE_OBJECT })
  wiredCaseInfo({ data, error }) {
    this.caseInfo = data;
    this.caseInfoError = error;
  }

  @wire(getPicklistValues, { recordTypeId: '$recordTypeId', fieldApiName: CASE_STATUS_FIELD })
  wiredStatusValues({ data, error }) {
    if (data) {
      // UI API marks Case Status values with attributes.closed (CaseStatus.IsClosed).
      const closed = data.values.find((value) => value.attributes && value.attributes.closed === true);
      this.closedStatus = closed ? closed.value : undefined;
      this.statusValuesLoaded = true;
    }
    this.statusValuesError = error;
  }

  disconnectedCallback() {
    this.clearTimer();
  }

  get recordTypeId() {
    return this.caseInfo ? this.caseInfo.defaultRecordTypeId : undefined;
  }

  get isLoading() {
    return !this.caseInfoError && !this.statusValuesError && (!this.caseInfo || !this.statusValuesLoaded);
  }

  get lacksCaseAccess() {
    if (this.caseInfoError) {
      return true;
    }
    const info = this.caseInfo;
    return Boolean(info) && !(info.createable && info.updateable && info.deletable);
  }

  get lacksClosedStatus() {
    return (
      !this.lacksCaseAccess &&
      (Boolean(this.statusValuesError) || (this.statusValuesLoaded && !this.closedStatus))
    );
  }

  get streamingOff() {
    return Boolean(this.liveStatus) && this.liveStatus !== LISTENING && this.liveStatus !== 'connecting';
  }

  get isRunning() {
    return [PHASE.creating, PHASE.closing, PHASE.waiting].includes(this.phase);
  }

  get sendDisabled() {
    return (
      this.isLoading || this.lacksCaseAccess || this.lacksClosedStatus || this.streamingOff || this.isRunning
    );
  }

  get progressText() {
    switch (this.phase) {
      case PHASE.creating:
        return CREATING;
      case PHASE.closing:
        return format(CLOSING, this.closedStatus);
      case PHASE.waiting:
        return format(WAITING, WAIT_SECONDS);
      default:
        return '';
    }
  }

  get isReceived() {
    return this.phase === PHASE.received;
  }

  get isTimedOut() {
    return this.phase === PHASE.timedOut;
  }

  get isFailed() {
    return this.phase === PHASE.failed;
  }

  get showStreamingReason() {
    return this.liveStatus !== LISTENING;
  }

  get isCleanedUp() {
    return this.cleanupState === 'deleted';
  }

  get cleanupFailedText() {
    return this.cleanupState === 'failed' ? format(CLEANUP_FAILED, this.testCaseId) : '';
  }

  get testCaseUrl() {
    return this.testCaseId ? `/lightning/r/Case/${this.testCaseId}/view` : undefined;
  }

  async handleSend() {
    this.clearTimer();
    this.testCaseId = undefined;
    this.errorDetail = undefined;
    this.cleanupState = undefined;
    this.phase = PHASE.creating;
    // The button is disabled while the test runs, which would drop keyboard focus on the page
    // body: keep it next to the button, on the status that reports progress and the outcome.
    this.template.querySelector('.tethr-status').focus();
    try {
      const created = await createRecord({
        apiName: CASE_OBJECT.objectApiName,
        fields: {
          [CASE_SUBJECT_FIELD.fieldApiName]: CASE_SUBJECT,
          [CASE_DESCRIPTION_FIELD.fieldApiName]: CASE_DESCRIPTION
        }
      });
      this.testCaseId = created.id;
      this.phase = PHASE.closing;
      await updateRecord({
        fields: { Id: created.id, [CASE_STATUS_FIELD.fieldApiName]: this.closedStatus }
      });
      // The event can be faster than the update's response: look at what already arrived.
      this.phase = PHASE.waiting;
      if (!this.checkForArrival()) {
        this.startTimer();
      }
    } catch (error) {
      this.phase = PHASE.failed;
      this.errorDetail = errorMessage(error);
      await this.deleteTestCase();
    }
  }

  checkForArrival() {
    if (this.phase !== PHASE.closing && this.phase !== PHASE.waiting) {
      return false;
    }
    const arrived = this.receivedNotifications.some(
      (notification) =>
        sameRecordId(notification.recordId, this.testCaseId) ||
        sameRecordId(notification.caseId, this.testCaseId)
    );
    if (arrived && this.phase === PHASE.waiting) {
      this.clearTimer();
      this.phase = PHASE.received;
      this.deleteTestCase();
    }
    return arrived && this.phase === PHASE.received;
  }

  startTimer() {
    // The wait for a push message has no event to hang on to; a timer is the only way to give up.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timeoutId = setTimeout(() => this.handleTimeout(), WAIT_SECONDS * 1000);
  }

  clearTimer() {
    if (this.timeoutId) {
      clearTimeout(this.timeoutId);
      this.timeoutId = undefined;
    }
  }

  handleTimeout() {
    this.timeoutId = undefined;
    if (this.phase === PHASE.waiting) {
      this.phase = PHASE.timedOut;
      this.deleteTestCase();
    }
  }

  async deleteTestCase() {
    if (!this.testCaseId) {
      return;
    }
    try {
      await deleteRecord(this.testCaseId);
      this.cleanupState = 'deleted';
    } catch {
      this.cleanupState = 'failed';
    }
  }
}
