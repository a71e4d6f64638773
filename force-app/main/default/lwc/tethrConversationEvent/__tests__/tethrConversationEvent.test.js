import { eventTopic, namespaceOf, sameRecordId, toNotification } from 'c/tethrConversationEvent';

const host = (tagName) => ({ tagName });

describe('c/tethrConversationEvent', () => {
  it('reads the namespace from the component tag: tethr inside the package, none when deployed unpackaged', () => {
    expect(namespaceOf(host('TETHR-TETHR-LIVE-NOTIFICATIONS'))).toBe('tethr');
    expect(namespaceOf(host('C-TETHR-LIVE-NOTIFICATIONS'))).toBe('');
    expect(namespaceOf(undefined)).toBe('');
  });

  it('names the empApi channel with and without the namespace', () => {
    expect(eventTopic('tethr')).toBe('/event/tethr__Conversation_Closed__e');
    expect(eventTopic('')).toBe('/event/Conversation_Closed__e');
  });

  it('reads the namespaced payload fields of the packaged event', () => {
    const message = {
      data: {
        event: { replayId: 7 },
        payload: {
          tethr__Record_Id__c: '0MwDn0000000001AAA',
          tethr__Object_Type__c: 'MessagingSession',
          tethr__Closed_At__c: '2026-11-25T18:30:00.000Z',
          tethr__Case_Id__c: '500Dn00000TethrAAA',
          tethr__Channel__c: 'WhatsApp'
        }
      }
    };
    expect(toNotification(message, 'tethr')).toEqual({
      key: '7-0MwDn0000000001AAA',
      replayId: 7,
      recordId: '0MwDn0000000001AAA',
      recordUrl: '/lightning/r/0MwDn0000000001AAA/view',
      objectType: 'MessagingSession',
      closedAt: '2026-11-25T18:30:00.000Z',
      caseId: '500Dn00000TethrAAA',
      channel: 'WhatsApp'
    });
  });

  it('compares 15- and 18-character ids of the same record', () => {
    expect(sameRecordId('500Dn00000TethrAAA', '500Dn00000Tethr')).toBe(true);
    expect(sameRecordId('500Dn00000TethrAAA', '500Dn00000tethrAAA')).toBe(false);
    expect(sameRecordId(undefined, '500Dn00000Tethr')).toBe(false);
  });
});
