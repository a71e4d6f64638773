import { LightningElement, api, wire } from 'lwc';
import { gql, graphql } from 'lightning/graphql';
import { format } from 'c/tethrText';
import TITLE from '@salesforce/label/c.Tethr_Handoff_Title';
import INTRO from '@salesforce/label/c.Tethr_Handoff_Intro';
import NO_SECRETS from '@salesforce/label/c.Tethr_Handoff_No_Secrets';
import MY_DOMAIN from '@salesforce/label/c.Tethr_Handoff_My_Domain';
import ORG_ID from '@salesforce/label/c.Tethr_Handoff_Org_Id';
import USERNAME from '@salesforce/label/c.Tethr_Handoff_Username';
import UNKNOWN from '@salesforce/label/c.Tethr_Handoff_Unknown';
import ORG_ID_ELSEWHERE from '@salesforce/label/c.Tethr_Handoff_Org_Id_Elsewhere';
import USERNAME_MISSING from '@salesforce/label/c.Tethr_Handoff_Username_Missing';
import COPY from '@salesforce/label/c.Tethr_Handoff_Copy';
import COPIED from '@salesforce/label/c.Tethr_Handoff_Copied';
import COPY_FAILED from '@salesforce/label/c.Tethr_Handoff_Copy_Failed';
import CREDENTIALS_HINT from '@salesforce/label/c.Tethr_Handoff_Credentials_Hint';
import OPEN_COMPANY_INFO from '@salesforce/label/c.Tethr_Link_Company_Information';

export const CREDENTIALS_COMMAND = 'npx tethr-sf credentials --target-org <alias>';
const LIGHTNING_HOST_SUFFIX = '.lightning.force.com';
const MY_DOMAIN_HOST_SUFFIX = '.my.salesforce.com';

/** The My Domain login URL for the page's own Lightning host (acme.lightning.force.com -> acme.my.salesforce.com). */
export function myDomainUrlFor(location) {
  const host = location.hostname;
  if (host.endsWith(LIGHTNING_HOST_SUFFIX)) {
    return `https://${host.slice(0, -LIGHTNING_HOST_SUFFIX.length)}${MY_DOMAIN_HOST_SUFFIX}`;
  }
  return location.origin;
}

/**
 * What the admin sends to Tethr: the My Domain URL, the org id and the integration username,
 * each with a copy button. Never a secret: the consumer secret goes through the tethr-sf
 * credentials bundle, not through a screen.
 */
export default class TethrHandoff extends LightningElement {
  @api integrationUsername;

  labels = {
    title: TITLE,
    intro: INTRO,
    noSecrets: NO_SECRETS,
    orgIdElsewhere: ORG_ID_ELSEWHERE,
    usernameMissing: USERNAME_MISSING,
    credentialsHint: CREDENTIALS_HINT,
    openCompanyInfo: OPEN_COMPANY_INFO
  };
  companyInfoUrl = '/lightning/setup/CompanyProfileInfo/home';
  credentialsCommand = CREDENTIALS_COMMAND;
  myDomainUrl = myDomainUrlFor(window.location);
  orgId;
  orgIdUnavailable = false;
  copyStatus = '';

  // UNCONFIRMED that UI API serves Organization in every org; if not, the section links to
  // Setup > Company Information, where the org id is shown as "Salesforce.com Organization ID".
  @wire(graphql, {
    query: gql`
      query tethrOrganization {
        uiapi {
          query {
            Organization(first: 1) {
              edges {
                node {
                  Id
                }
              }
            }
          }
        }
      }
    `
  })
  wiredOrganization({ data, errors }) {
    if (errors) {
      this.orgIdUnavailable = true;
      return;
    }
    if (data) {
      const organizations = data.uiapi.query.Organization;
      const edge = organizations ? organizations.edges[0] : undefined;
      this.orgId = edge ? edge.node.Id : undefined;
      this.orgIdUnavailable = !this.orgId;
    }
  }

  get items() {
    return [
      { key: 'myDomainUrl', label: MY_DOMAIN, value: this.myDomainUrl },
      { key: 'orgId', label: ORG_ID, value: this.orgId },
      { key: 'integrationUsername', label: USERNAME, value: this.integrationUsername }
    ].map((item) => ({
      ...item,
      // dt and dd are siblings in one iteration: each needs its own key.
      labelKey: `${item.key}-label`,
      valueKey: `${item.key}-value`,
      displayValue: item.value || UNKNOWN,
      copyLabel: format(COPY, item.label),
      copyDisabled: !item.value
    }));
  }

  get showUsernameMissing() {
    return !this.integrationUsername;
  }

  async handleCopy(event) {
    const key = event.currentTarget.dataset.key;
    const item = this.items.find((candidate) => candidate.key === key);
    try {
      await navigator.clipboard.writeText(item.value);
      this.copyStatus = format(COPIED, item.label);
    } catch {
      this.copyStatus = format(COPY_FAILED, item.label);
    }
  }
}
