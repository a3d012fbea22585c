import { AsyncLocalStorage } from 'node:async_hooks';

// Lets unsubscribe() tell whether it was called by (or awaited from) the handler it would wait for.
const handlerOwner = new AsyncLocalStorage<object>();

/** Runs a subscription's handler, marked as belonging to `owner`. */
export function runHandler<T>(owner: object, handler: () => T): T {
  return handlerOwner.run(owner, handler);
}

/** Whether the caller runs inside a handler of `owner`, so waiting for that handler would deadlock. */
export function isInHandlerOf(owner: object): boolean {
  return handlerOwner.getStore() === owner;
}
