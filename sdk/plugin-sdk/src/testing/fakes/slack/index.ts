/**
 * A loopback fake of Slack for tests: the Web API (form, JSON and multipart bodies, Bearer
 * tokens), file hosting and upload v2, signed Events API delivery, and Socket Mode.
 */
export { startFakeSlack, type FakeSlack, type DeliverOptions, type DeliveryResult } from './fake-slack.js';
export { signSlackRequest } from './signature.js';
export { SlackEventFactory, type MessageEventInput, type SlackEventPayload } from './events.js';
export { FakeSocketMode, type SocketModeAck } from './socket-mode.js';
export { FakeSlackWorkspace } from './workspace.js';
export type { FakeSlackChannel, FakeSlackChannelType, FakeSlackFile, FakeSlackMessage, FakeSlackOptions, FakeSlackUser, InjectedFailure, SlackApiCall } from './types.js';
