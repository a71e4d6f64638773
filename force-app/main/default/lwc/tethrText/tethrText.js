/**
 * Small text helpers shared by the setup page sections: custom labels carry {0}-style
 * placeholders (so translators can move them), and Lightning Data Service errors come in
 * several shapes that all need to become one readable sentence.
 */

/** Replaces {0}, {1}, ... in a custom label with the given values. */
export function format(label, ...values) {
  return String(label).replace(/\{(\d+)\}/g, (placeholder, index) => {
    return values[index] === undefined ? placeholder : String(values[index]);
  });
}

/** One readable message from an LDS/UI API error, a GraphQL errors array or an Error. */
export function errorMessage(error) {
  if (!error) {
    return '';
  }
  if (Array.isArray(error)) {
    return error.map(errorMessage).filter(Boolean).join(' ');
  }
  if (typeof error === 'string') {
    return error;
  }
  const body = error.body;
  if (Array.isArray(body)) {
    return body.map((item) => item.message).join(' ');
  }
  if (body) {
    const output = body.output || {};
    const recordErrors = (output.errors || []).map((item) => item.message);
    const fieldErrors = Object.values(output.fieldErrors || {})
      .flat()
      .map((item) => item.message);
    const details = [...recordErrors, ...fieldErrors];
    if (details.length) {
      return details.join(' ');
    }
    if (body.message) {
      return body.message;
    }
  }
  return error.message || error.statusText || JSON.stringify(error);
}
