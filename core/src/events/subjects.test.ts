import { describe, expect, it } from 'vitest';
import { subjectMatches, withSubjectRoot } from './subjects.js';

describe('subjectMatches', () => {
  it.each([
    ['omni.>', 'omni.message.received._._', true],
    ['omni.message.>', 'omni.message.received.whatsapp.i1', true],
    ['omni.message.>', 'omni.message', false],
    ['omni.message.>', 'omni.plugin.status._._', false],
    ['omni.*.received.>', 'omni.message.received._._', true],
    ['omni.message.received', 'omni.message.received', true],
    ['omni.message.received', 'omni.message.received.x', false],
    ['omni.message.received.x', 'omni.message.received', false],
  ])('%s against %s: %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});

describe('withSubjectRoot', () => {
  it('replaces the SDK root only', () => {
    expect(withSubjectRoot('omni.message.received.omni.i1', 'test-1')).toBe('test-1.message.received.omni.i1');
    expect(() => withSubjectRoot('other.message.>', 'x')).toThrow(/does not start with/);
  });
});
