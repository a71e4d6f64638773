import type { Connection } from '@salesforce/core';
import { loadMessages } from '../shared/messages.ts';
import { soqlString } from './soql.ts';

const messages = loadMessages('org-deploy');

/** The e-mail of the user the tool is logged in as: the admin who gets the app's notices. */
export async function adminEmail(conn: Connection): Promise<string> {
  const username = conn.getUsername() ?? '';
  const result = await conn.query<{ Email: string }>(
    `SELECT Email FROM User WHERE Username = ${soqlString(username)}`
  );
  const email = result.records[0]?.Email;
  if (!email) {
    throw messages.createError('error.AdminEmailMissing', [username]);
  }
  return email;
}
