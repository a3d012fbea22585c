/** What both event buses log when running handlers outlast the drain timeout. */
export const DRAIN_WAIT_EXCEEDED = 'Event handlers still running after the drain timeout; not waiting any longer';

/**
 * The same for unsubscribe(), with the likely cause: a handler that awaits its own subscription's
 * unsubscribe() waits for itself until the timeout.
 */
export const UNSUBSCRIBE_WAIT_EXCEEDED =
  'unsubscribe() waited the whole drain timeout for running handlers; a handler that awaits its own subscription\'s unsubscribe() waits for itself: call it without await there';
