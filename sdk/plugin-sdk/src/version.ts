/**
 * The plugin API version this SDK describes. The kernel compares every plugin's
 * `compat.sdk` range against the version it implements and refuses a mismatch.
 */
export const SDK_API_VERSION = '1.0.0';
