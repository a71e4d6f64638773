// The command registry: one set of command classes under two sets of ids. COMMANDS holds the
// standalone binary's ids (`tethr-sf setup`); SF_COMMANDS the same classes under the `tethr` topic,
// as the sf plugin runs them (`sf tethr setup`). Ids use ":" between topics; the CLI shows them
// space-separated. `npm run build` turns COMMANDS into the tree of one file per command that oclif
// loads from (scripts/build/command-tree.ts), so keep each entry `'id': ImportedClass`.
// After adding a command: `npm run build` and `npm run snapshot:update` (docs/cli.md).
import Access from './commands/access.ts';
import AppCertificateCreate from './commands/app-certificate-create.ts';
import AppCertificateDeploy from './commands/app-certificate-deploy.ts';
import AppCredential from './commands/app-credential.ts';
import AppPolicies from './commands/app-policies.ts';
import Backfill from './commands/backfill.ts';
import Connection from './commands/connection.ts';
import Credentials from './commands/credentials.ts';
import DeadLettersList from './commands/dead-letters-list.ts';
import DeadLettersRetry from './commands/dead-letters-retry.ts';
import DeadLettersShow from './commands/dead-letters-show.ts';
import Deploy from './commands/deploy.ts';
import Doctor from './commands/doctor.ts';
import IntegrationUser from './commands/integration-user.ts';
import PackageVersionCreate from './commands/package-version-create.ts';
import Relay from './commands/relay.ts';
import RelayCheckpointShow from './commands/relay-checkpoint-show.ts';
import RelayOrgsAdd from './commands/relay-orgs-add.ts';
import RelayOrgsList from './commands/relay-orgs-list.ts';
import RelayOrgsRemove from './commands/relay-orgs-remove.ts';
import RelayServe from './commands/relay-serve.ts';
import Setup from './commands/setup.ts';
import Verify from './commands/verify.ts';

export const COMMANDS = {
  setup: Setup,
  deploy: Deploy,
  access: Access,
  'integration-user': IntegrationUser,
  'app-policies': AppPolicies,
  connection: Connection,
  credentials: Credentials,
  doctor: Doctor,
  'app-certificate:create': AppCertificateCreate,
  'app-certificate:deploy': AppCertificateDeploy,
  'app-credential': AppCredential,
  'package:version:create': PackageVersionCreate,
  relay: Relay,
  'relay:serve': RelayServe,
  'relay:orgs:add': RelayOrgsAdd,
  'relay:orgs:remove': RelayOrgsRemove,
  'relay:orgs:list': RelayOrgsList,
  'relay:checkpoint:show': RelayCheckpointShow,
  backfill: Backfill,
  verify: Verify,
  'dead-letters:list': DeadLettersList,
  'dead-letters:show': DeadLettersShow,
  'dead-letters:retry': DeadLettersRetry
};

/** The topic every command of the sf plugin lives under: `sf tethr <command>` (package.json oclif.topics). */
export const SF_TOPIC = 'tethr';

export const SF_COMMANDS = Object.fromEntries(
  Object.entries(COMMANDS).map(([id, command]) => [`${SF_TOPIC}:${id}`, command])
);
