/**
 * lightning/graphql mock: sfdx-lwc-jest's stub provides the test wire adapter (emit/emitErrors)
 * but no gql tag, so a component that declares its query with gql would fail to load.
 */
export { graphql } from '@salesforce/sfdx-lwc-jest/src/lightning-stubs/graphql/graphql';

export const gql = jest.fn((strings, ...values) =>
  strings.reduce((query, part, i) => query + values[i - 1] + part)
);
export const refreshGraphQL = jest.fn(() => Promise.resolve());
