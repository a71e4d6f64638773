import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core/sfError';
import { soqlString } from './soql.ts';

/** The e-mail of the user the tool is logged in as: the admin who gets the app's notices. */
export async function adminEmail(conn: Connection): Promise<string> {
  const username = conn.getUsername() ?? '';
  const result = await conn.query<{ Email: string }>(
    `SELECT Email FROM User WHERE Username = ${soqlString(username)}`
  );
  const email = result.records[0]?.Email;
  if (!email) {
    throw new SfError(`Cannot read the e-mail address of ${username}.`, 'AdminEmailMissing', [
      'Pass --email with an address that an admin reads.'
    ]);
  }
  return email;
}
