// Entry of the preview bundle: the setup page alone, on synthetic shadow so global SLDS applies.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import TethrSetup from 'c/tethrSetup';

const page = createElement('c-tethr-setup', { is: TethrSetup });
document.getElementById('root').appendChild(page);
