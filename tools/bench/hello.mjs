// The floor of the cold-start benchmark: a faas-js-runtime function that does nothing.
export const handle = () => 'hello';
