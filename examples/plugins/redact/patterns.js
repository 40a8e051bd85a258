/** What the middleware can find, by kind. Each pattern is global: it is used with `replace`. */
export const PATTERNS = {
  email: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu,
  card: /\b(?:\d[ -]?){13,16}\b/gu,
  phone: /\+?\d[\d ().-]{7,}\d/gu,
};
