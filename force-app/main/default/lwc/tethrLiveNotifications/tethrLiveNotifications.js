import { LightningElement } from 'lwc';
import { isEmpEnabled, onError, subscribe, unsubscribe } from 'lightning/empApi';
import { eventTopic, namespaceOf, toNotification } from 'c/tethrConversationEvent';
import LIVE_TITLE from '@salesforce/label/c.Tethr_Live_Title';
import LIVE_INTRO from '@salesforce/label/c.Tethr_Live_Intro';
import LIVE_CONNECTING from '@salesforce/label/c.Tethr_Live_Connecting';
import LIVE_LISTENING from '@salesforce/label/c.Tethr_Live_Listening';
import LIVE_EMPTY from '@salesforce/label/c.Tethr_Live_Empty';
import LIVE_UNAVAILABLE from '@salesforce/label/c.Tethr_Live_Unavailable';
import LIVE_ERROR from '@salesforce/label/c.Tethr_Live_Error';
import LIVE_RETRY from '@salesforce/label/c.Tethr_Live_Retry';
import LIVE_COLUMN_RECORD from '@salesforce/label/c.Tethr_Live_Column_Record';
import LIVE_COLUMN_OBJECT from '@salesforce/label/c.Tethr_Live_Column_Object';
import LIVE_COLUMN_CHANNEL from '@salesforce/label/c.Tethr_Live_Column_Channel';
import LIVE_COLUMN_CLOSED_AT from '@salesforce/label/c.Tethr_Live_Column_Closed_At';
import LIVE_TABLE_CAPTION from '@salesforce/label/c.Tethr_Live_Table_Caption';

// Keep the list short: it is a live proof that events flow, not an event log.
const MAX_ROWS = 50;
// -1: only events published from now on; the page proves the connection, it does not replay history.
const REPLAY_FROM_TIP = -1;

export const STATUS = {
  connecting: 'connecting',
  listening: 'listening',
  unavailable: 'unavailable',
  error: 'error'
};

/**
 * Subscribes to the Conversation Closed platform event with lightning/empApi and lists what
 * arrives. Tells the page about every notification (`notification`) and about its own
 * connection state (`statuschange`) so the test-notification section can explain a silence.
 */
export default class TethrLiveNotifications extends LightningElement {
  labels = {
    title: LIVE_TITLE,
    intro: LIVE_INTRO,
    connecting: LIVE_CONNECTING,
    listening: LIVE_LISTENING,
    empty: LIVE_EMPTY,
    unavailable: LIVE_UNAVAILABLE,
    error: LIVE_ERROR,
    retry: LIVE_RETRY,
    columnRecord: LIVE_COLUMN_RECORD,
    columnObject: LIVE_COLUMN_OBJECT,
    columnChannel: LIVE_COLUMN_CHANNEL,
    columnClosedAt: LIVE_COLUMN_CLOSED_AT,
    tableCaption: LIVE_TABLE_CAPTION
  };

  status = STATUS.connecting;
  errorDetail;
  notifications = [];
  subscription;
  namespace = '';
  disconnected = false;

  connectedCallback() {
    this.disconnected = false;
    this.namespace = namespaceOf(this.template.host);
    onError((error) => this.handleStreamingError(error));
    this.connect();
  }

  disconnectedCallback() {
    this.disconnected = true;
    this.stopListening();
  }

  get topic() {
    return eventTopic(this.namespace);
  }

  get isConnecting() {
    return this.status === STATUS.connecting;
  }

  get isListening() {
    return this.status === STATUS.listening;
  }

  get isUnavailable() {
    return this.status === STATUS.unavailable;
  }

  get isError() {
    return this.status === STATUS.error;
  }

  get hasNotifications() {
    return this.notifications.length > 0;
  }

  get showEmpty() {
    return this.isListening && !this.hasNotifications;
  }

  async connect() {
    this.setStatus(STATUS.connecting);
    try {
      const enabled = await isEmpEnabled();
      if (!enabled) {
        this.setStatus(STATUS.unavailable);
        return;
      }
      const subscription = await subscribe(this.topic, REPLAY_FROM_TIP, (message) =>
        this.handleMessage(message)
      );
      if (this.disconnected) {
        unsubscribe(subscription);
        return;
      }
      this.subscription = subscription;
      this.setStatus(STATUS.listening);
    } catch (error) {
      this.handleStreamingError(error);
    }
  }

  stopListening() {
    if (this.subscription) {
      unsubscribe(this.subscription);
      this.subscription = undefined;
    }
  }

  handleMessage(message) {
    const notification = toNotification(message, this.namespace);
    this.notifications = [notification, ...this.notifications].slice(0, MAX_ROWS);
    this.dispatchEvent(new CustomEvent('notification', { detail: notification }));
  }

  handleStreamingError(error) {
    this.stopListening();
    this.errorDetail = describeError(error);
    this.setStatus(STATUS.error);
  }

  handleRetry() {
    this.errorDetail = undefined;
    // The retry button disappears with the error: put focus on the section heading so keyboard
    // and screen-reader users stay in this section and hear the new state from there.
    // By data-id, not tag: inside the package the tag carries the namespace (tethr-tethr-section).
    this.template.querySelector('[data-id="section"]').focusHeading();
    this.connect();
  }

  setStatus(status) {
    this.status = status;
    this.dispatchEvent(new CustomEvent('statuschange', { detail: { status } }));
  }
}

// empApi reports errors as CometD messages ({error, channel, ...}) or as plain Errors.
function describeError(error) {
  if (!error) {
    return '';
  }
  if (typeof error === 'string') {
    return error;
  }
  return error.error || error.message || JSON.stringify(error);
}
