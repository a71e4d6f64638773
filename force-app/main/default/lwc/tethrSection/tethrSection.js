import { LightningElement, api } from 'lwc';

/**
 * The card every setup page section sits in: a labelled region with its h2, the section's
 * one-line introduction and, while the section waits for Salesforce, a spinner that names
 * what it waits for. The section's own states and content go in the default slot.
 */
export default class TethrSection extends LightningElement {
  @api heading;
  @api intro;
  @api loading = false;
  @api loadingText;

  /** Puts keyboard focus on the heading, for a section whose focused control just went away. */
  @api
  focusHeading() {
    this.template.querySelector('h2').focus();
  }
}
