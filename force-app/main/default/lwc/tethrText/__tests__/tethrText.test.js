import { errorMessage, format } from 'c/tethrText';

describe('c/tethrText', () => {
  it('fills {n} placeholders and leaves unknown ones visible', () => {
    expect(format('Waiting up to {0} seconds for {1}', 20, 'it')).toBe('Waiting up to 20 seconds for it');
    expect(format('{0} and {1}', 'one')).toBe('one and {1}');
  });

  it('turns every error shape the page meets into one sentence', () => {
    expect(errorMessage(undefined)).toBe('');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage({ body: { message: 'UI API says no' } })).toBe('UI API says no');
    expect(errorMessage({ body: [{ message: 'first' }, { message: 'second' }] })).toBe('first second');
    expect(
      errorMessage({
        body: {
          message: 'generic',
          output: { errors: [{ message: 'record' }], fieldErrors: { Origin: [{ message: 'field' }] } }
        }
      })
    ).toBe('record field');
    expect(errorMessage([{ message: 'graphql one' }, { message: 'graphql two' }])).toBe(
      'graphql one graphql two'
    );
  });
});
