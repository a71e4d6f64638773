import { LightningElement, api } from 'lwc';
import { COMMAND_NAMES, PLUGIN_INSTALL, orgCommand } from 'c/tethrCommands';
import { format } from 'c/tethrText';
import TITLE from '@salesforce/label/c.Tethr_Oauth_Title';
import INTRO from '@salesforce/label/c.Tethr_Oauth_Intro';
import STEP_OPEN from '@salesforce/label/c.Tethr_Oauth_Step_Open';
import STEP_CLIENT_CREDENTIALS from '@salesforce/label/c.Tethr_Oauth_Step_Client_Credentials';
import STEP_RUN_AS from '@salesforce/label/c.Tethr_Oauth_Step_Run_As';
import STEP_IP from '@salesforce/label/c.Tethr_Oauth_Step_Ip';
import STEP_PERMITTED from '@salesforce/label/c.Tethr_Oauth_Step_Permitted';
import STEP_PERMISSION_SET from '@salesforce/label/c.Tethr_Oauth_Step_Permission_Set';
import STEP_WAIT from '@salesforce/label/c.Tethr_Oauth_Step_Wait';
import VALUE_ENABLED from '@salesforce/label/c.Tethr_Oauth_Value_Enabled';
import VALUE_RUN_AS_UNKNOWN from '@salesforce/label/c.Tethr_Oauth_Value_Run_As_Unknown';
import VALUE_IP from '@salesforce/label/c.Tethr_Oauth_Value_Ip';
import VALUE_PERMITTED from '@salesforce/label/c.Tethr_Oauth_Value_Permitted';
import VALUE_WAIT from '@salesforce/label/c.Tethr_Oauth_Value_Wait';
import APP_NAME from '@salesforce/label/c.Tethr_Oauth_App_Name';
import OPEN_APP_MANAGER from '@salesforce/label/c.Tethr_Link_App_Manager';
import CLI_TITLE from '@salesforce/label/c.Tethr_Oauth_Cli_Title';
import CLI_HINT from '@salesforce/label/c.Tethr_Oauth_Cli_Hint';
import JWT_NOTE from '@salesforce/label/c.Tethr_Oauth_Jwt_Note';

export const APP_MANAGER_URL = '/lightning/setup/ManageExternalClientApplication/home';
export const CLI_COMMAND = `${PLUGIN_INSTALL}\n${orgCommand(COMMAND_NAMES.appPolicies)}`;

/**
 * The External Client App policies an LWC cannot set (they are per-org admin policies of the
 * Tethr_Integration app): each step names the Setup field, the exact value to choose and the
 * metadata value `sf tethr app-policies` writes for the same step.
 */
export default class TethrOauthChecklist extends LightningElement {
  @api integrationUsername;

  labels = {
    title: TITLE,
    intro: INTRO,
    appName: APP_NAME,
    openAppManager: OPEN_APP_MANAGER,
    cliTitle: CLI_TITLE,
    cliHint: CLI_HINT,
    jwtNote: JWT_NOTE
  };
  appManagerUrl = APP_MANAGER_URL;
  cliCommand = CLI_COMMAND;

  get openStepText() {
    return format(STEP_OPEN, APP_NAME);
  }

  get steps() {
    return [
      {
        key: 'clientCredentials',
        setting: STEP_CLIENT_CREDENTIALS,
        value: VALUE_ENABLED,
        metadata: 'isClientCredentialsFlowEnabled = true'
      },
      {
        key: 'runAs',
        setting: STEP_RUN_AS,
        value: this.integrationUsername || VALUE_RUN_AS_UNKNOWN,
        metadata: 'clientCredentialsFlowUser'
      },
      { key: 'ip', setting: STEP_IP, value: VALUE_IP, metadata: 'ipRelaxationPolicyType = Bypass' },
      {
        key: 'permitted',
        setting: STEP_PERMITTED,
        value: VALUE_PERMITTED,
        metadata: 'permittedUsersPolicyType = AdminApprovedPreAuthorized'
      },
      {
        key: 'permissionSet',
        setting: STEP_PERMISSION_SET,
        // The generated, unpackaged access permission set pre-authorizes the integration user
        // (what the JWT bearer flow needs); it carries no namespace, being the org's own.
        value: 'Tethr_Integration_Access',
        metadata: 'commaSeparatedPermissionSet'
      },
      { key: 'wait', setting: STEP_WAIT, value: VALUE_WAIT, metadata: '' }
    ];
  }
}
