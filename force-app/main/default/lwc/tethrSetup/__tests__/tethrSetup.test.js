import { createElement } from 'lwc';
import TethrSetup from 'c/tethrSetup';
import { getObjectInfo, getObjectInfos, getPicklistValues } from 'lightning/uiObjectInfoApi';
import { createRecord, deleteRecord, updateRecord } from 'lightning/uiRecordApi';
import { graphql } from 'lightning/graphql';
import { fireMessage, resetEmpApi } from 'lightning/empApi';

// Channel objects come first in the access section's list, so one answer serves both sections.
const OBJECT_INFOS = require('../../tethrAccess/__tests__/data/getObjectInfosMessaging.json');
const PERMISSIONS = require('../../tethrAccess/__tests__/data/permissionsMessagingComplete.json');
const ASSIGNMENTS_READY = require('../../tethrIntegrationUser/__tests__/data/assignmentsReady.json');
const ORGANIZATION = require('../../tethrHandoff/__tests__/data/organization.json');
const CASE_INFO = require('../../tethrTestNotification/__tests__/data/getObjectInfoCase.json');
const STATUS_VALUES = require('../../tethrTestNotification/__tests__/data/getPicklistValuesCaseStatus.json');
const CREATED_CASE = require('../../tethrTestNotification/__tests__/data/createRecordCase.json');
const PAYLOAD = require('../../tethrLiveNotifications/__tests__/data/conversationClosedPayload.json');

async function flushPromises() {
  for (let i = 0; i < 6; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

const child = (element, name) => element.shadowRoot.querySelector(name);

describe('c-tethr-setup', () => {
  it('asks the integration user section to look again after the setup flow changed the access', async () => {
    const element = createElement('c-tethr-setup', { is: TethrSetup });
    document.body.appendChild(element);
    await flushPromises();
    const user = child(element, 'c-tethr-integration-user');
    user.refresh = jest.fn();
    child(element, 'c-tethr-access').dispatchEvent(new CustomEvent('accesschange', { detail: {} }));
    expect(user.refresh).toHaveBeenCalledTimes(1);
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    resetEmpApi();
    jest.clearAllMocks();
  });

  it('renders every section under one page heading', async () => {
    const element = createElement('c-tethr-setup', { is: TethrSetup });
    document.body.appendChild(element);
    await flushPromises();
    expect(element.shadowRoot.querySelector('h1').textContent).toBe('c.Tethr_Setup_Title');
    [
      'c-tethr-channel-status',
      'c-tethr-integration-user',
      'c-tethr-access',
      'c-tethr-oauth-checklist',
      'c-tethr-test-notification',
      'c-tethr-live-notifications',
      'c-tethr-handoff',
      'c-tethr-confirm-delivery'
    ].forEach((name) => expect(child(element, name)).not.toBeNull());
    await expect(element).toBeAccessible();
  });

  it('passes the integration username on and proves the connection end to end', async () => {
    createRecord.mockResolvedValue(CREATED_CASE);
    updateRecord.mockResolvedValue({});
    deleteRecord.mockResolvedValue();
    const element = createElement('c-tethr-setup', { is: TethrSetup });
    document.body.appendChild(element);
    getObjectInfos.emit(OBJECT_INFOS);
    // Every GraphQL section shares one wire adapter in tests: answer all queries at once.
    graphql.emit({
      uiapi: {
        query: { ...ASSIGNMENTS_READY.uiapi.query, ...ORGANIZATION.uiapi.query, ...PERMISSIONS.uiapi.query }
      }
    });
    getObjectInfo.emit(CASE_INFO);
    getPicklistValues.emit(STATUS_VALUES);
    await flushPromises();

    expect(child(element, 'c-tethr-oauth-checklist').integrationUsername).toBe(
      'tethr.integration@acme.example'
    );
    expect(child(element, 'c-tethr-handoff').integrationUsername).toBe('tethr.integration@acme.example');
    expect(child(element, 'c-tethr-handoff').channels).toEqual(['Case', 'MessagingSession']);
    const access = child(element, 'c-tethr-access');
    expect(access.integrationUserId).toBe('005Dn000003XyZaIAK');
    expect(access.integrationUserState).toBe('ready');
    expect(access.shadowRoot.querySelector('.tethr-complete')).not.toBeNull();
    expect(child(element, 'c-tethr-confirm-delivery').connectionFileName).toBe(
      'tethr-connection-00DDn00000TethrAAA.json'
    );
    expect(child(element, 'c-tethr-test-notification').liveStatus).toBe('listening');

    const test = child(element, 'c-tethr-test-notification');
    test.shadowRoot.querySelector('.tethr-send').click();
    await flushPromises();
    fireMessage('/event/Conversation_Closed__e', PAYLOAD, 42);
    await flushPromises();

    expect(test.shadowRoot.querySelector('.tethr-received')).not.toBeNull();
    const live = child(element, 'c-tethr-live-notifications');
    expect(live.shadowRoot.querySelectorAll('.tethr-event-row')).toHaveLength(1);
    expect(deleteRecord).toHaveBeenCalledWith('500Dn00000TethrAAA');
    await expect(element).toBeAccessible();
  });
});
