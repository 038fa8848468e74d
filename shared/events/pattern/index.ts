export { compilePattern, MAX_OR_COMBINATIONS, matches, validatePattern } from './compile.js';
export { InvalidEventPatternError } from './errors.js';
