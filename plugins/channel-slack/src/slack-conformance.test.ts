import { describe } from 'vitest';
import { describeChannelConformance } from '@omni/plugin-sdk/testing';
import slackPlugin from './index.js';
import { createSlackDriver } from './slack-test-driver.js';

describe('Events API ingress', () => describeChannelConformance({ plugin: slackPlugin, createDriver: () => createSlackDriver('events') }));
describe('Socket Mode ingress', () => describeChannelConformance({ plugin: slackPlugin, createDriver: () => createSlackDriver('socket') }));
