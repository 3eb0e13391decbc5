import { describe, expect, it } from 'vitest';
import { allocateClusters } from '../../lib/cluster/allocate.js';
import { distinctiveTerms } from '../../lib/cluster/keywords.js';

describe('allocateClusters', () => {
  it('shares clusters by size and sums to the total', () => {
    expect(allocateClusters([100, 50, 50], 8)).toEqual([4, 2, 2]);
    expect(allocateClusters([90, 9, 1], 10).reduce((a, b) => a + b)).toBe(10);
  });
  it('gives every non-empty group at least one and never more than its members', () => {
    expect(allocateClusters([1000, 1, 0], 4)).toEqual([3, 1, 0]);
    expect(allocateClusters([2, 3], 10)).toEqual([2, 3]);
  });
});

describe('distinctiveTerms', () => {
  it('picks what sets a cluster apart, not what all clusters share', () => {
    const [billing, login] = distinctiveTerms([
      [
        'refund my invoice please',
        'invoice charged twice need refund',
        'customer wants invoice refund',
        'refund double charge',
      ],
      [
        'customer cannot login',
        'login fails after password reset',
        'password reset link broken',
        'customer login error',
      ],
    ]);
    expect(billing?.slice(0, 2)).toEqual(expect.arrayContaining(['refund']));
    expect(billing).not.toContain('customer');
    expect(login?.some((t) => t.includes('login') || t.includes('password'))).toBe(true);
  });
});
