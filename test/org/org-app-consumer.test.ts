import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from '@salesforce/core';
import { findExternalClientAppId } from '../../scripts/org/org-app-consumer.ts';

/** Just enough of a Connection for the app lookup: SOQL and Tooling queries answered by the test. */
function connection(soql: () => Promise<unknown>, tooling: () => Promise<unknown>): Connection {
  return { query: soql, tooling: { query: tooling } } as unknown as Connection;
}

describe('findExternalClientAppId', () => {
  it('falls back to the Tooling API when SOQL cannot read the object', async () => {
    const conn = connection(
      () => Promise.reject(new Error("sObject type 'ExternalClientApplication' is not supported.")),
      () => Promise.resolve({ records: [{ Id: '0xY000000000001', NamespacePrefix: null }] })
    );
    assert.equal(await findExternalClientAppId(conn, ''), '0xY000000000001');
  });

  it("reports the SOQL error, not the fallback's, when both fail", async () => {
    const conn = connection(
      () => Promise.reject(new Error('INSUFFICIENT_ACCESS: View Setup and Configuration is required')),
      () =>
        Promise.reject(new Error("INVALID_TYPE: sObject type 'ExternalClientApplication' is not supported"))
    );
    await assert.rejects(findExternalClientAppId(conn, ''), /INSUFFICIENT_ACCESS/);
  });

  it('prefers the namespaced app of the installed package', async () => {
    const conn = connection(
      () =>
        Promise.resolve({
          records: [
            { Id: '0xY000000000001', NamespacePrefix: null },
            { Id: '0xY000000000002', NamespacePrefix: 'tethr' }
          ]
        }),
      () => Promise.reject(new Error('not used'))
    );
    assert.equal(await findExternalClientAppId(conn, 'tethr'), '0xY000000000002');
  });
});
