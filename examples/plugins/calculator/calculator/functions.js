/** Named constants an expression may use. */
export const CONSTANTS = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

/** Functions of one value, shared by the `arithmetic` and `scientific` capabilities. */
export const FUNCTIONS = new Map([
  ['sin', Math.sin],
  ['cos', Math.cos],
  ['tan', Math.tan],
  ['log', Math.log],
  ['sqrt', Math.sqrt],
  ['exp', Math.exp],
  ['abs', Math.abs],
]);
