import { describe, expect, it } from 'vitest';
import { orderByDependencies } from './plugin-order.js';

describe('orderByDependencies', () => {
  it('puts every plugin after its dependencies, deterministically (passes in input order)', () => {
    const { order, rejected } = orderByDependencies([{ id: 'c', dependsOn: ['b'] }, { id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'd' }]);
    expect(rejected.size).toBe(0);
    expect(order).toEqual(['a', 'b', 'd', 'c']);
  });

  it('rejects a missing dependency and everything that depends on the rejected plugin', () => {
    const { order, rejected } = orderByDependencies([{ id: 'a', dependsOn: ['ghost'] }, { id: 'b', dependsOn: ['a'] }, { id: 'c' }]);
    expect(order).toEqual(['c']);
    expect(rejected.get('a')).toMatchObject({ code: 'PLUGIN_MISSING_DEPENDENCY', message: expect.stringContaining("'ghost'") });
    expect(rejected.get('b')).toMatchObject({ code: 'PLUGIN_MISSING_DEPENDENCY', message: expect.stringContaining("'a'") });
  });

  it('rejects a cycle and names it', () => {
    const { order, rejected } = orderByDependencies([{ id: 'x', dependsOn: ['y'] }, { id: 'y', dependsOn: ['z'] }, { id: 'z', dependsOn: ['x'] }, { id: 'free' }]);
    expect(order).toEqual(['free']);
    expect(rejected.get('x')).toMatchObject({ code: 'PLUGIN_DEPENDENCY_CYCLE', message: expect.stringContaining('x -> y -> z -> x') });
    expect([...rejected.keys()].sort()).toEqual(['x', 'y', 'z']);
  });

  it('rejects a plugin that depends on itself', () => {
    expect(orderByDependencies([{ id: 'self', dependsOn: ['self'] }]).rejected.get('self')?.code).toBe('PLUGIN_DEPENDENCY_CYCLE');
  });
});
