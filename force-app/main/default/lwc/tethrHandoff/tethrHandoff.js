import { LightningElement, api, wire } from 'lwc';
import { gql, graphql } from 'lightning/graphql';
import { COMMAND_NAMES, PLUGIN_INSTALL, orgCommand } from 'c/tethrCommands';
import {
  AUTH_FLOWS,
  DEFAULT_AUTH_FLOW,
  buildConnectionFile,
  connectionFileHref,
  connectionFileName,
  connectionFileText,
  isOrgId,
  isSandboxHost,
  missingPieces
} from 'c/tethrConnectionFile';
import { namespaceOf } from 'c/tethrConversationEvent';
import { format } from 'c/tethrText';
import TITLE from '@salesforce/label/c.Tethr_Handoff_Title';
import INTRO from '@salesforce/label/c.Tethr_Handoff_Intro';
import AUTH_FLOW from '@salesforce/label/c.Tethr_Handoff_Auth_Flow';
import AUTH_JWT from '@salesforce/label/c.Tethr_Handoff_Auth_Jwt';
import AUTH_CLIENT_CREDENTIALS from '@salesforce/label/c.Tethr_Handoff_Auth_Client_Credentials';
import FILE_LABEL from '@salesforce/label/c.Tethr_Handoff_File_Label';
import COPY from '@salesforce/label/c.Tethr_Handoff_Copy';
import DOWNLOAD from '@salesforce/label/c.Tethr_Handoff_Download';
import COPIED from '@salesforce/label/c.Tethr_Handoff_Copied';
import COPY_FAILED from '@salesforce/label/c.Tethr_Handoff_Copy_Failed';
import INCOMPLETE from '@salesforce/label/c.Tethr_Handoff_Incomplete';
import MISSING_ORG_ID from '@salesforce/label/c.Tethr_Handoff_Missing_Org_Id';
import MISSING_USERNAME from '@salesforce/label/c.Tethr_Handoff_Missing_Username';
import MISSING_CHANNELS from '@salesforce/label/c.Tethr_Handoff_Missing_Channels';
import ORG_ID_INPUT from '@salesforce/label/c.Tethr_Handoff_Org_Id_Input';
import ORG_ID_INVALID from '@salesforce/label/c.Tethr_Handoff_Org_Id_Invalid';
import UNPACKAGED from '@salesforce/label/c.Tethr_Handoff_Unpackaged';
import SEND from '@salesforce/label/c.Tethr_Handoff_Send';
import CHANNELS_NOTE from '@salesforce/label/c.Tethr_Handoff_Channels_Note';
import OPEN_COMPANY_INFO from '@salesforce/label/c.Tethr_Link_Company_Information';

export const CONNECTION_COMMAND = `${PLUGIN_INSTALL}\n${orgCommand(COMMAND_NAMES.connection)}`;
const LIGHTNING_HOST_SUFFIX = '.lightning.force.com';
const MY_DOMAIN_HOST_SUFFIX = '.my.salesforce.com';
const MISSING_TEXT = {
  orgId: MISSING_ORG_ID,
  integrationUsername: MISSING_USERNAME,
  channels: MISSING_CHANNELS
};

/** The My Domain login URL for the page's own Lightning host (acme.lightning.force.com -> acme.my.salesforce.com). */
export function myDomainUrlFor(location) {
  const host = location.hostname;
  if (host.endsWith(LIGHTNING_HOST_SUFFIX)) {
    return `https://${host.slice(0, -LIGHTNING_HOST_SUFFIX.length)}${MY_DOMAIN_HOST_SUFFIX}`;
  }
  return location.origin;
}

/**
 * "Send these details to Tethr": the connection file (tethr-salesforce-connection/v2) for the
 * installed package, shown, copied and downloaded as a .json file, all without Apex. It holds no
 * secret field: the packaged app's credential stays with Tethr. Unpackaged (no namespace: a
 * scratch org or an unpackaged deploy) the org owns its app's secret, so the section shows the
 * command that writes the file instead.
 */
export default class TethrHandoff extends LightningElement {
  @api integrationUsername;
  /** The channels this org has, from the channel section. */
  @api channels = [];

  labels = {
    title: TITLE,
    intro: INTRO,
    authFlow: AUTH_FLOW,
    fileLabel: FILE_LABEL,
    copy: COPY,
    incomplete: INCOMPLETE,
    orgIdInput: ORG_ID_INPUT,
    orgIdInvalid: ORG_ID_INVALID,
    unpackaged: UNPACKAGED,
    send: SEND,
    channelsNote: CHANNELS_NOTE,
    openCompanyInfo: OPEN_COMPANY_INFO
  };
  authFlowOptions = [
    { label: AUTH_JWT, value: 'jwt_bearer' },
    { label: AUTH_CLIENT_CREDENTIALS, value: 'client_credentials' }
  ].filter((option) => AUTH_FLOWS.includes(option.value));
  companyInfoUrl = '/lightning/setup/CompanyProfileInfo/home';
  connectionCommand = CONNECTION_COMMAND;
  myDomainUrl = myDomainUrlFor(window.location);
  // Written once, when the admin opens the page: the file says when it was made.
  createdAt = new Date().toISOString();
  authFlow = DEFAULT_AUTH_FLOW;
  orgId;
  orgIsSandbox;
  orgIdUnreadable = false;
  typedOrgId = '';
  copyStatus = '';
  namespace = '';

  connectedCallback() {
    this.namespace = namespaceOf(this.template.host);
  }

  // UNCONFIRMED that UI API GraphQL serves Organization in every org: if not, the admin types
  // the id from Company Information, and sandboxes are recognised by their host name.
  @wire(graphql, {
    query: gql`
      query tethrOrganization {
        uiapi {
          query {
            Organization(first: 1) {
              edges {
                node {
                  Id
                  IsSandbox {
                    value
                  }
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
      this.orgIdUnreadable = true;
      return;
    }
    if (data) {
      const organizations = data.uiapi.query.Organization;
      const node = organizations && organizations.edges[0] ? organizations.edges[0].node : undefined;
      this.orgId = node ? node.Id : undefined;
      this.orgIsSandbox = node && node.IsSandbox ? node.IsSandbox.value : undefined;
      this.orgIdUnreadable = !this.orgId;
    }
    this.tellPage();
  }

  get isUnpackaged() {
    return !this.namespace;
  }

  get effectiveOrgId() {
    return this.orgId || (isOrgId(this.typedOrgId) ? this.typedOrgId : undefined);
  }

  get facts() {
    return {
      orgId: this.effectiveOrgId,
      instanceUrl: this.myDomainUrl,
      isSandbox:
        typeof this.orgIsSandbox === 'boolean' ? this.orgIsSandbox : isSandboxHost(window.location.hostname),
      namespace: this.namespace,
      integrationUsername: this.integrationUsername,
      channels: this.channels || [],
      authFlow: this.authFlow,
      createdAt: this.createdAt
    };
  }

  get missing() {
    return missingPieces(this.facts).map((piece) => ({ key: piece, text: MISSING_TEXT[piece] }));
  }

  get isIncomplete() {
    return this.missing.length > 0;
  }

  get fileText() {
    return connectionFileText(buildConnectionFile(this.facts));
  }

  get fileName() {
    return connectionFileName(this.effectiveOrgId || 'org');
  }

  get downloadLabel() {
    return format(DOWNLOAD, this.fileName);
  }

  get downloadHref() {
    return connectionFileHref(this.fileText);
  }

  get showOrgIdInput() {
    return this.orgIdUnreadable;
  }

  handleAuthFlowChange(event) {
    this.authFlow = event.detail.value;
  }

  handleOrgIdChange(event) {
    this.typedOrgId = (event.detail.value || '').trim();
    this.tellPage();
  }

  /** The page's last step names the file Tethr checks delivery with. */
  tellPage() {
    this.dispatchEvent(new CustomEvent('connectionfile', { detail: { fileName: this.fileName } }));
  }

  async handleCopy() {
    try {
      await navigator.clipboard.writeText(this.fileText);
      this.copyStatus = COPIED;
    } catch {
      this.copyStatus = COPY_FAILED;
    }
  }
}
