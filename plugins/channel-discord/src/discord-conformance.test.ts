import { describeChannelConformance } from '@omni/plugin-sdk/testing';
import { createDiscordDriver } from './discord-test-driver.js';
import discordPlugin from './index.js';

describeChannelConformance({ plugin: discordPlugin, createDriver: () => createDiscordDriver() });
