import { LightningElement } from 'lwc';
import TITLE from '@salesforce/label/c.Tethr_Setup_Title';
import SUBTITLE from '@salesforce/label/c.Tethr_Setup_Subtitle';
import INTRO from '@salesforce/label/c.Tethr_Setup_Intro';

/**
 * The Tethr setup page: walks an admin from a fresh install to a proven connection. Each
 * section is its own component; this one only passes facts between them (the integration
 * username found by one section is the run-as value of the checklist and part of the handoff;
 * notifications received by the live list are what the test notification waits for).
 */
export default class TethrSetup extends LightningElement {
  labels = { title: TITLE, subtitle: SUBTITLE, intro: INTRO };

  integrationUsername;
  liveStatus = 'connecting';
  notifications = [];

  handleIntegrationUser(event) {
    this.integrationUsername = event.detail.username;
  }

  handleLiveStatus(event) {
    this.liveStatus = event.detail.status;
  }

  handleNotification(event) {
    this.notifications = [event.detail, ...this.notifications];
  }
}
