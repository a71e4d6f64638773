// The command registry (oclif "explicit" strategy, see package.json "oclif.commands").
// Ids use ":" between topic and command; the CLI shows them space-separated ("package version create").
import Access from './commands/access.ts';
import AppCertificateCreate from './commands/app-certificate-create.ts';
import AppCertificateDeploy from './commands/app-certificate-deploy.ts';
import AppCredential from './commands/app-credential.ts';
import AppPolicies from './commands/app-policies.ts';
import Backfill from './commands/backfill.ts';
import Connection from './commands/connection.ts';
import Credentials from './commands/credentials.ts';
import Deploy from './commands/deploy.ts';
import Doctor from './commands/doctor.ts';
import IntegrationUser from './commands/integration-user.ts';
import PackageVersionCreate from './commands/package-version-create.ts';
import Relay from './commands/relay.ts';
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
  backfill: Backfill,
  verify: Verify
};
