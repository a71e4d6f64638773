// Entry of the preview bundle: the setup page alone, on synthetic shadow so global SLDS applies.
// The page is mounted as the installed package renders it (tethr- tags), and an unknown
// ?state= gets a banner that lists the states the preview knows.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import TethrSetup from 'tethr/tethrSetup';
import { STATE_NAMES, UNKNOWN_STATE } from '../fixtures/previewState.js';

const root = document.getElementById('root');
if (UNKNOWN_STATE) {
  const banner = document.createElement('div');
  banner.setAttribute('role', 'alert');
  banner.className = 'slds-notify slds-notify_alert slds-alert_warning';
  banner.textContent = `The preview has no state "${UNKNOWN_STATE}"; showing "ready". Known states: ${STATE_NAMES.join(', ')}.`;
  root.appendChild(banner);
}
root.appendChild(createElement('tethr-tethr-setup', { is: TethrSetup }));
