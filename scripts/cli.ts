// The command registry (oclif "explicit" strategy, see package.json "oclif.commands").
// Ids use ":" between topic and command; the CLI shows them space-separated ("package version create").
import AppPolicies from './commands/app-policies.ts';
import Backfill from './commands/backfill.ts';
import Credentials from './commands/credentials.ts';
import Deploy from './commands/deploy.ts';
import Doctor from './commands/doctor.ts';
import IntegrationUser from './commands/integration-user.ts';
import PackageVersionCreate from './commands/package-version-create.ts';
import Relay from './commands/relay.ts';
import Setup from './commands/setup.ts';

export const COMMANDS = {
  setup: Setup,
  deploy: Deploy,
  'integration-user': IntegrationUser,
  'app-policies': AppPolicies,
  credentials: Credentials,
  doctor: Doctor,
  'package:version:create': PackageVersionCreate,
  relay: Relay,
  backfill: Backfill
};
