import { LightningElement, api, wire } from 'lwc';
import { gql, graphql, refreshGraphQL } from 'lightning/graphql';
import { COMMAND_NAMES, PLUGIN_INSTALL, orgCommand } from 'c/tethrCommands';
import { errorMessage, format } from 'c/tethrText';
import TITLE from '@salesforce/label/c.Tethr_User_Title';
import INTRO from '@salesforce/label/c.Tethr_User_Intro';
import LOADING from '@salesforce/label/c.Tethr_User_Loading';
import READY from '@salesforce/label/c.Tethr_User_Ready';
import NOT_READY from '@salesforce/label/c.Tethr_User_Not_Ready';
import NONE from '@salesforce/label/c.Tethr_User_None';
import HOW_TO_CREATE from '@salesforce/label/c.Tethr_User_How_To_Create';
import CANNOT_CHECK from '@salesforce/label/c.Tethr_User_Cannot_Check';
import CHECK_IN_SETUP from '@salesforce/label/c.Tethr_User_Check_In_Setup';
import ACTIVE from '@salesforce/label/c.Tethr_User_Active';
import INACTIVE from '@salesforce/label/c.Tethr_User_Inactive';
import API_ONLY from '@salesforce/label/c.Tethr_User_Api_Only';
import NOT_API_ONLY from '@salesforce/label/c.Tethr_User_Not_Api_Only';
import SUMMARY from '@salesforce/label/c.Tethr_User_Summary';
import UNKNOWN from '@salesforce/label/c.Tethr_Handoff_Unknown';
import CLI_HINT from '@salesforce/label/c.Tethr_Cli_Hint';
import OPEN_PERMISSION_SETS from '@salesforce/label/c.Tethr_Link_Permission_Sets';
import OPEN_USERS from '@salesforce/label/c.Tethr_Link_Users';

export const PERMISSION_SET_NAME = 'Tethr_Integration_User';
// The profile of the free "Salesforce Integration" licence: API access only, no UI login.
export const API_ONLY_PROFILE = 'Minimum Access - API Only Integrations';
export const CLI_COMMAND = `${PLUGIN_INSTALL}\n${orgCommand(COMMAND_NAMES.integrationUser)}`;

/** What the section tells the page about the integration user (`integrationuser` event). */
export const USER_STATE = { loading: 'loading', ready: 'ready', none: 'none', unknown: 'unknown' };

/**
 * Whether an active, API-only integration user holds the Tethr_Integration_User permission
 * set. Reads PermissionSetAssignment and its Assignee through the GraphQL wire adapter (UI API
 * does not serve these setup objects through getRecord); if this org or this admin cannot read
 * them, the section says where to check by hand instead. Tells the page the user it found
 * (username, id and state) so the access section can check that user's permissions.
 */
export default class TethrIntegrationUser extends LightningElement {
  labels = {
    title: TITLE,
    intro: INTRO,
    loading: LOADING,
    ready: READY,
    notReady: NOT_READY,
    none: NONE,
    howToCreate: HOW_TO_CREATE,
    cannotCheck: CANNOT_CHECK,
    checkInSetup: CHECK_IN_SETUP,
    cliHint: CLI_HINT,
    openPermissionSets: OPEN_PERMISSION_SETS,
    openUsers: OPEN_USERS
  };
  cliCommand = CLI_COMMAND;
  permissionSetsUrl = '/lightning/setup/PermSets/home';
  usersUrl = '/lightning/setup/ManageUsers/home';

  users;
  errorDetail;
  wiredResult;

  /** Reads the assignments again (after the setup flow created the user). */
  @api
  refresh() {
    return this.wiredResult ? refreshGraphQL(this.wiredResult) : Promise.resolve();
  }

  @wire(graphql, {
    query: gql`
      query tethrIntegrationUsers {
        uiapi {
          query {
            PermissionSetAssignment(
              where: { PermissionSet: { Name: { eq: "Tethr_Integration_User" } } }
              first: 20
            ) {
              edges {
                node {
                  Id
                  Assignee {
                    Id
                    Username {
                      value
                    }
                    Name {
                      value
                    }
                    IsActive {
                      value
                    }
                    Profile {
                      Name {
                        value
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    `
  })
  wiredAssignments(result) {
    this.wiredResult = result;
    const { data, errors } = result;
    if (errors) {
      this.users = undefined;
      this.errorDetail = errorMessage(errors);
      this.tellPage(undefined, USER_STATE.unknown);
      return;
    }
    if (data) {
      this.errorDetail = undefined;
      this.users = data.uiapi.query.PermissionSetAssignment.edges
        .map((edge) => edge.node.Assignee)
        .filter(Boolean)
        .map(toUserRow);
      const ready = this.users.find((user) => user.ready);
      this.tellPage(ready, ready ? USER_STATE.ready : USER_STATE.none);
    }
  }

  tellPage(user, state) {
    this.dispatchEvent(
      new CustomEvent('integrationuser', {
        detail: { username: user ? user.username : undefined, userId: user ? user.id : undefined, state }
      })
    );
  }

  get isLoading() {
    return !this.users && this.errorDetail === undefined;
  }

  get cannotCheck() {
    return this.errorDetail !== undefined;
  }

  get hasNone() {
    return Array.isArray(this.users) && this.users.length === 0;
  }

  get hasUsers() {
    return Array.isArray(this.users) && this.users.length > 0;
  }

  get isReady() {
    return this.hasUsers && this.users.some((user) => user.ready);
  }

  get showHowTo() {
    return !this.isLoading && !this.isReady;
  }

  get isNotReady() {
    return this.hasUsers && !this.isReady;
  }
}

function toUserRow(assignee) {
  const active = Boolean(assignee.IsActive && assignee.IsActive.value);
  const profileName = assignee.Profile && assignee.Profile.Name ? assignee.Profile.Name.value : undefined;
  const apiOnly = profileName === API_ONLY_PROFILE;
  return {
    id: assignee.Id,
    username: assignee.Username.value,
    name: assignee.Name ? assignee.Name.value : assignee.Username.value,
    url: `/lightning/r/User/${assignee.Id}/view`,
    ready: active && apiOnly,
    // One label for the whole line, so a translation can reorder and punctuate it.
    summary: format(
      SUMMARY,
      active ? ACTIVE : INACTIVE,
      apiOnly ? API_ONLY : NOT_API_ONLY,
      profileName || UNKNOWN
    ),
    iconName: active && apiOnly ? 'utility:success' : 'utility:warning',
    iconVariant: active && apiOnly ? 'success' : 'warning'
  };
}
