import { LightningElement } from 'lwc';
import TITLE from '@salesforce/label/c.Tethr_Setup_Title';
import SUBTITLE from '@salesforce/label/c.Tethr_Setup_Subtitle';
import INTRO from '@salesforce/label/c.Tethr_Setup_Intro';

/**
 * The Tethr setup page: walks an admin from a fresh install to a proven connection. Each
 * section is its own component; this one only passes facts between them: the channels the org
 * has go into the connection file; the integration user found by one section is checked by the
 * access section, is the run-as value of the checklist and is named in the connection file;
 * notifications received by the live list are what the test notification waits for; the
 * connection file's name is what Tethr verifies delivery with in the last step.
 */
export default class TethrSetup extends LightningElement {
  labels = { title: TITLE, subtitle: SUBTITLE, intro: INTRO };

  integrationUsername;
  integrationUserId;
  integrationUserState = 'loading';
  channels = [];
  connectionFileName;
  liveStatus = 'connecting';
  notifications = [];

  handleIntegrationUser(event) {
    this.integrationUsername = event.detail.username;
    this.integrationUserId = event.detail.userId;
    this.integrationUserState = event.detail.state;
  }

  handleChannels(event) {
    this.channels = event.detail.channels;
  }

  /** The setup flow created the user or its access: the user section reads its assignments again. */
  handleAccessChange() {
    // By data-id, not tag: inside the package the tag carries the namespace.
    this.template.querySelector('[data-id="integration-user"]').refresh();
  }

  handleConnectionFile(event) {
    this.connectionFileName = event.detail.fileName;
  }

  handleLiveStatus(event) {
    this.liveStatus = event.detail.status;
  }

  handleNotification(event) {
    this.notifications = [event.detail, ...this.notifications];
  }
}
