/** The log message of a usage event that could not be queued; an alarm's metric filter matches it. */
export const UNQUEUED_USAGE_MESSAGE = 'Usage event not queued';
