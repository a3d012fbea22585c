/** The test kit's `waitFor`: polls until a probe returns a value (not undefined/false), or fails naming what it waited for. */
export { waitFor } from '@omni/plugin-sdk/testing';
