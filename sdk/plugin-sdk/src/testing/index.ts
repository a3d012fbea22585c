export { startTestKernel, type TestKernel, type TestKernelOptions } from './start-test-kernel.js';
export { TestHttpClient, type TestResponse } from './http-client.js';
export { EventRecorder } from './event-recorder.js';
export { describeChannelConformance, type ChannelConformanceOptions, type ChannelTestDriver, type ObservedOutbound } from './describe-channel-conformance.js';
export { sampleContent, TINY_PNG_BASE64 } from './content-samples.js';
export { startCaptureServer, type CaptureServer, type CapturedRequest, type CaptureResponder } from './capture-server.js';
export { waitFor, waitForConnectionState } from './wait-for.js';
export { stubChannel, type StubChannelOptions } from './stub-channel.js';
