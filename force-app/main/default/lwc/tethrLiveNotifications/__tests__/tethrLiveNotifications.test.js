import { createElement } from 'lwc';
import TethrLiveNotifications from 'c/tethrLiveNotifications';
import {
  fireError,
  fireMessage,
  resetEmpApi,
  setEmpEnabled,
  subscribe,
  subscribedChannels,
  unsubscribe
} from 'lightning/empApi';

const PAYLOAD = require('./data/conversationClosedPayload.json');
const TOPIC = '/event/Conversation_Closed__e';

async function flushPromises() {
  for (let i = 0; i < 5; i++) {
    // eslint-disable-next-line no-await-in-loop
    await Promise.resolve();
  }
}

async function render() {
  const element = createElement('c-tethr-live-notifications', { is: TethrLiveNotifications });
  const statuses = [];
  const notifications = [];
  element.addEventListener('statuschange', (event) => statuses.push(event.detail.status));
  element.addEventListener('notification', (event) => notifications.push(event.detail));
  document.body.appendChild(element);
  await flushPromises();
  return { element, statuses, notifications };
}

describe('c-tethr-live-notifications', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    resetEmpApi();
  });

  it('shows a spinner while connecting', async () => {
    const element = createElement('c-tethr-live-notifications', { is: TethrLiveNotifications });
    document.body.appendChild(element);
    expect(element.shadowRoot.querySelector('c-tethr-section').loading).toBe(true);
    await expect(element).toBeAccessible();
  });

  it('subscribes to the unnamespaced topic from the tip of the stream and shows the empty state', async () => {
    const { element, statuses } = await render();
    expect(subscribe).toHaveBeenCalledWith(TOPIC, -1, expect.any(Function));
    expect(subscribedChannels()).toEqual([TOPIC]);
    expect(statuses).toEqual(['connecting', 'listening']);
    expect(element.shadowRoot.querySelector('.tethr-listening')).not.toBeNull();
    expect(element.shadowRoot.querySelector('.tethr-empty').textContent).toBe('c.Tethr_Live_Empty');
    await expect(element).toBeAccessible();
  });

  it('lists each event with record, object, channel and time, newest first, and tells the page', async () => {
    const { element, notifications } = await render();
    fireMessage(TOPIC, PAYLOAD, 11);
    fireMessage(
      TOPIC,
      {
        ...PAYLOAD,
        Record_Id__c: '0MwDn0000000001AAA',
        Object_Type__c: 'MessagingSession',
        Channel__c: 'WhatsApp'
      },
      12
    );
    await flushPromises();

    const rows = element.shadowRoot.querySelectorAll('.tethr-event-row');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('0MwDn0000000001AAA');
    expect(rows[0].textContent).toContain('MessagingSession');
    expect(rows[0].textContent).toContain('WhatsApp');
    expect(rows[1].querySelector('a').getAttribute('href')).toBe('/lightning/r/500Dn00000TethrAAA/view');
    expect(rows[1].querySelector('lightning-formatted-date-time').value).toBe('2026-11-25T18:30:00.000Z');
    expect(notifications.map((n) => n.recordId)).toEqual(['500Dn00000TethrAAA', '0MwDn0000000001AAA']);
    expect(element.shadowRoot.querySelector('.tethr-live-region').getAttribute('aria-live')).toBe('polite');
    await expect(element).toBeAccessible();
  });

  it('explains when streaming is not available in this org or browser', async () => {
    setEmpEnabled(false);
    const { element, statuses } = await render();
    expect(subscribe).not.toHaveBeenCalled();
    expect(statuses).toEqual(['connecting', 'unavailable']);
    expect(element.shadowRoot.querySelector('.slds-alert_warning').textContent).toContain(
      'c.Tethr_Live_Unavailable'
    );
    await expect(element).toBeAccessible();
  });

  it('shows a streaming error with its details and reconnects on request', async () => {
    const { element, statuses } = await render();
    fireError({ error: '403::Unknown channel', channel: '/meta/subscribe' });
    await flushPromises();
    expect(statuses[statuses.length - 1]).toBe('error');
    expect(unsubscribe).toHaveBeenCalled();
    expect(element.shadowRoot.querySelector('.slds-alert_error').textContent).toContain(
      '403::Unknown channel'
    );
    await expect(element).toBeAccessible();

    element.shadowRoot.querySelector('.tethr-retry').click();
    await flushPromises();
    // The retry button is gone with the error: focus stays in this section, on its heading.
    const section = element.shadowRoot.querySelector('c-tethr-section');
    expect(element.shadowRoot.activeElement).toBe(section);
    expect(section.shadowRoot.activeElement).toBe(section.shadowRoot.querySelector('h2'));
    expect(statuses[statuses.length - 1]).toBe('listening');
    expect(subscribe).toHaveBeenCalledTimes(2);
  });

  it('shows an error when subscribing is rejected', async () => {
    subscribe.mockImplementationOnce(() => Promise.reject(new Error('Handshake denied')));
    const { element, statuses } = await render();
    expect(statuses).toEqual(['connecting', 'error']);
    expect(element.shadowRoot.querySelector('.slds-alert_error').textContent).toContain('Handshake denied');
  });

  it('unsubscribes when removed from the page', async () => {
    const { element } = await render();
    document.body.removeChild(element);
    expect(unsubscribe).toHaveBeenCalledWith(expect.objectContaining({ channel: TOPIC }));
    expect(subscribedChannels()).toEqual([]);
  });
});
