import { loadMessages } from '../shared/messages.ts';
import Connection, { writeConnection, type ConnectionCommandResult } from './connection.ts';
import { TethrCommand } from './tethr-command.ts';

const messages = loadMessages('connection');

/** The same result as `connection`'s. */
export type CredentialsCommandResult = ConnectionCommandResult;

/** The seed-era name of `connection`, kept so that existing runbooks keep working. */
export default class Credentials extends TethrCommand<CredentialsCommandResult> {
  public static override readonly summary = 'LEGACY name of `connection`: writes the connection file.';
  public static override readonly description = `${messages.getMessage('warning.credentialsRenamed')}\n\n${Connection.description}`;
  public static override readonly examples = Connection.examples;
  public static override readonly envVariablesSection = Connection.envVariablesSection;
  public static override readonly flags = Connection.flags;
  public static override readonly state = 'deprecated';

  public async run(): Promise<CredentialsCommandResult> {
    const { flags } = await this.parse(Credentials);
    this.warn(messages.getMessage('warning.credentialsRenamed'));
    return writeConnection(this, flags);
  }
}
