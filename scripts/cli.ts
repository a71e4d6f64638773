// The command registry (oclif "explicit" strategy, see package.json "oclif.commands").
// Ids use ":" between topic and command; the CLI shows them space-separated ("package version").
import AppPolicies from './commands/app-policies.ts';
import Backfill from './commands/backfill.ts';
import Credentials from './commands/credentials.ts';
import Deploy from './commands/deploy.ts';
import Doctor from './commands/doctor.ts';
import IntegrationUser from './commands/integration-user.ts';
import PackageVersion from './commands/package-version.ts';
import Relay from './commands/relay.ts';
import Setup from './commands/setup.ts';
import Verify from './commands/verify.ts';

export const COMMANDS = {
  setup: Setup,
  deploy: Deploy,
  'integration-user': IntegrationUser,
  'app-policies': AppPolicies,
  credentials: Credentials,
  doctor: Doctor,
  'package:version': PackageVersion,
  relay: Relay,
  backfill: Backfill,
  verify: Verify
};
