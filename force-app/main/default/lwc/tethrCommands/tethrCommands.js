/**
 * Every command the setup page shows, in one place. They must work for the admin reading the
 * page, who has the Salesforce CLI but no clone of Tethr's repository: so the Tethr sf plugin
 * (`sf plugins install @tethr/plugin-salesforce`, then `sf tethr <command>`), never the
 * repository's own npx binary, which only works inside a clone. test/contracts/lwc-commands.test.ts checks
 * each command name against the plugin's command registry (scripts/cli.ts).
 */

export const PLUGIN_PACKAGE = '@tethr/plugin-salesforce';
export const PLUGIN_INSTALL = `sf plugins install ${PLUGIN_PACKAGE}`;
export const TARGET_ORG = '<alias>';

/** The plugin's commands the page refers to. */
export const COMMAND_NAMES = {
  setup: 'setup',
  integrationUser: 'integration-user',
  access: 'access',
  appPolicies: 'app-policies',
  connection: 'connection',
  doctor: 'doctor',
  verify: 'verify'
};

/** `sf tethr <command> --target-org <alias>`: what an admin runs against this org. */
export function orgCommand(name) {
  return `sf tethr ${name} --target-org ${TARGET_ORG}`;
}

/** What Tethr runs to prove delivery: every conversation closed since `since` reached Tethr. */
export function verifyCommand(connectionFileName, since) {
  return `sf tethr ${COMMAND_NAMES.verify} --connection ${connectionFileName} --since ${since}`;
}
