// sfdx-lwc-jest's preset plus our own lightning/* mocks where its stubs are not enough
// (empApi must be able to fire events and errors in tests).
import sfdxLwcJest from '@salesforce/sfdx-lwc-jest/config.js';

const { jestConfig } = sfdxLwcJest;

export default {
  ...jestConfig,
  moduleNameMapper: {
    ...jestConfig.moduleNameMapper,
    // The root @lwc/engine-dom is v8 (pulled in by sfdx-lwc-jest) while templates are compiled by the
    // v9 compiler that lwc 9.4.3 brings; run them on the matching v9 engine.
    '^lwc$': '<rootDir>/node_modules/lwc/node_modules/@lwc/engine-dom/dist/index.cjs',
    '^lightning/empApi$': '<rootDir>/force-app/test/jest-mocks/lightning/empApi',
    '^lightning/graphql$': '<rootDir>/force-app/test/jest-mocks/lightning/graphql'
  },
  setupFilesAfterEnv: [
    ...(jestConfig.setupFilesAfterEnv ?? []),
    '<rootDir>/force-app/test/jest-mocks/setupA11y.js'
  ],
  // LWC tests only: test/ holds Node test-runner files (*.test.ts) that jest must not pick up.
  roots: ['<rootDir>/force-app'],
  testPathIgnorePatterns: ['<rootDir>/node_modules/'],
  modulePathIgnorePatterns: ['<rootDir>/.sf/', '<rootDir>/.sfdx/']
};
