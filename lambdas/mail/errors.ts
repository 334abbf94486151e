/** The mail context raises only shared errors; a message it cannot parse is kept and ticketed, not thrown. */
export { ConfigError } from '../shared/errors';
