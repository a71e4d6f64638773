import { createElement } from 'lwc';
import TethrIntegrationUser, { CLI_COMMAND } from 'c/tethrIntegrationUser';
import { graphql, refreshGraphQL } from 'lightning/graphql';

// The real text, so the test can see the placeholders filled in the right order.
jest.mock('@salesforce/label/c.Tethr_User_Summary', () => ({ default: '{0} · {1} ({2})' }), {
  virtual: true
});

const READY = require('./data/assignmentsReady.json');
const NOT_READY = require('./data/assignmentsNotReady.json');
const NONE = require('./data/assignmentsNone.json');
const GRAPHQL_ERRORS = require('./data/graphqlErrors.json');

async function flushPromises() {
  await Promise.resolve();
}

// What the section told the page, in order, for the element rendered last.
let details = [];

function render() {
  const element = createElement('c-tethr-integration-user', { is: TethrIntegrationUser });
  const found = [];
  element.addEventListener('integrationuser', (event) => found.push(event.detail.username));
  details = [];
  element.addEventListener('integrationuser', (event) => details.push(event.detail));
  document.body.appendChild(element);
  return { element, found };
}

describe('c-tethr-integration-user', () => {
  it('reads the assignments again when the page asks (after the setup flow ran)', async () => {
    const { element } = render();
    graphql.emit(NONE);
    await flushPromises();
    await element.refresh();
    expect(refreshGraphQL).toHaveBeenCalledTimes(1);
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('shows a spinner while it looks for the user', async () => {
    const { element } = render();
    expect(element.shadowRoot.querySelector('c-tethr-section').loading).toBe(true);
    await expect(element).toBeAccessible();
  });

  it('shows a ready user with a link and tells the page its username', async () => {
    const { element, found } = render();
    graphql.emit(READY);
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-ready')).not.toBeNull();
    const link = element.shadowRoot.querySelector('.tethr-user a');
    expect(link.textContent).toBe('tethr.integration@acme.example');
    expect(link.getAttribute('href')).toBe('/lightning/r/User/005Dn000003XyZaIAK/view');
    expect(found).toEqual(['tethr.integration@acme.example']);
    expect(details).toEqual([
      { username: 'tethr.integration@acme.example', userId: '005Dn000003XyZaIAK', state: 'ready' }
    ]);
    expect(element.shadowRoot.querySelector('.tethr-cli')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('warns about an inactive or non-API-only user and says what to do', async () => {
    const { element, found } = render();
    graphql.emit(NOT_READY);
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-not-ready')).not.toBeNull();
    expect(element.shadowRoot.querySelector('.tethr-user-summary').textContent).toBe(
      'c.Tethr_User_Inactive · c.Tethr_User_Not_Api_Only (System Administrator)'
    );
    expect(element.shadowRoot.querySelector('.tethr-cli').textContent).toBe(CLI_COMMAND);
    expect(found).toEqual([undefined]);
    await expect(element).toBeAccessible();
  });

  it('explains how to create the user when nobody holds the permission set', async () => {
    const { element } = render();
    graphql.emit(NONE);
    await flushPromises();
    expect(element.shadowRoot.querySelector('.tethr-none')).not.toBeNull();
    expect(details).toEqual([{ username: undefined, userId: undefined, state: 'none' }]);
    expect(element.shadowRoot.querySelector('.tethr-cli').textContent).toBe(
      'sf plugins install @tethr/plugin-salesforce\nsf tethr integration-user --target-org <alias>'
    );
    await expect(element).toBeAccessible();
  });

  it('says where to check by hand when the assignments cannot be read', async () => {
    const { element } = render();
    graphql.emitErrors(GRAPHQL_ERRORS);
    await flushPromises();
    const warning = element.shadowRoot.querySelector('.tethr-cannot-check');
    expect(warning.textContent).toContain(
      "Field 'PermissionSetAssignment' in type 'RecordQuery' is undefined"
    );
    expect(element.shadowRoot.querySelector('a[href="/lightning/setup/PermSets/home"]')).not.toBeNull();
    expect(details).toEqual([{ username: undefined, userId: undefined, state: 'unknown' }]);
    await expect(element).toBeAccessible();
  });
});
