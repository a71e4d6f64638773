import { createElement } from 'lwc';
import TethrConfirmDelivery, { sinceNow } from 'c/tethrConfirmDelivery';

function render(fileName) {
  const element = createElement('c-tethr-confirm-delivery', { is: TethrConfirmDelivery });
  element.connectionFileName = fileName;
  document.body.appendChild(element);
  return element;
}

describe('c-tethr-confirm-delivery', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
  });

  it('starts the check at the current minute, in UTC ISO 8601', () => {
    expect(sinceNow(new Date('2026-12-01T09:41:27.512Z'))).toBe('2026-12-01T09:41:00Z');
  });

  it('walks the admin through the last step and shows what Tethr runs to check delivery', async () => {
    const element = render('tethr-connection-00DDn00000TethrAAA.json');
    await Promise.resolve();
    const steps = [...element.shadowRoot.querySelectorAll('.tethr-confirm-steps li')].map(
      (li) => li.dataset.step
    );
    expect(steps).toEqual(['send', 'close', 'ask', 'done']);
    const since = element.shadowRoot.querySelector('.tethr-since').textContent;
    expect(since).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
    expect(element.shadowRoot.querySelector('.tethr-verify').textContent).toBe(
      `sf tethr verify --connection tethr-connection-00DDn00000TethrAAA.json --since ${since}`
    );
    await expect(element).toBeAccessible();
  });

  it('names a placeholder file until the connection file is known', async () => {
    const element = render(undefined);
    await Promise.resolve();
    expect(element.shadowRoot.querySelector('.tethr-verify').textContent).toMatch(
      /^sf tethr verify --connection tethr-connection-<org id>\.json --since /
    );
  });
});
