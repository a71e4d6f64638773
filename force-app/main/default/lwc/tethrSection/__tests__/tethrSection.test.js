import { createElement } from 'lwc';
import TethrSection from 'c/tethrSection';

function render(props) {
  const element = createElement('c-tethr-section', { is: TethrSection });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

describe('c-tethr-section', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('is a region named by its h2, with the introduction under it', async () => {
    const element = render({ heading: 'Integration user', intro: 'Tethr signs in as this user.' });
    const section = element.shadowRoot.querySelector('section');
    const heading = element.shadowRoot.querySelector('h2');
    expect(heading.textContent).toBe('Integration user');
    expect(section.getAttribute('aria-labelledby')).toBe(heading.id);
    expect(element.shadowRoot.querySelector('.slds-card__body p').textContent).toBe(
      'Tethr signs in as this user.'
    );
    expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('shows a spinner that names what it waits for while loading', async () => {
    const element = render({ heading: 'Channels', intro: 'Objects.', loading: true, loadingText: 'Reading' });
    const spinner = element.shadowRoot.querySelector('lightning-spinner');
    expect(spinner.alternativeText).toBe('Reading');
    element.loading = false;
    await Promise.resolve();
    expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('moves keyboard focus to its heading on request', () => {
    const element = render({ heading: 'Live notifications', intro: 'Events.' });
    element.focusHeading();
    expect(element.shadowRoot.activeElement).toBe(element.shadowRoot.querySelector('h2'));
  });
});
