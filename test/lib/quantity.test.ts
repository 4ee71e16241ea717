import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalQuantity } from '../../lib/quantity';

// Expected values are what k8s.io/apimachinery's Quantity.String() returns for each input.
describe('canonicalQuantity', () => {
  const cases: [string, string][] = [
    ['1000m', '1'],
    ['1000', '1k'],
    ['100m', '100m'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['64Mi', '64Mi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['0.5Ki', '512'],
    ['1.5Ki', '1536'],
    ['2048', '2048'],
    ['10', '10'],
    ['100000', '100k'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['0', '0'],
    ['0m', '0'],
    ['1G', '1G'],
    ['1000M', '1G'],
    ['0.1n', '1n'],
    ['-1000m', '-1'],
  ];
  for (const [input, stored] of cases) {
    test(`stores ${input} as ${stored}`, () => assert.equal(canonicalQuantity(input), stored));
  }

  test('leaves text that is not a quantity as it is', () => {
    for (const text of ['abc', '', '1.2.3', 'Mi', '${var.x}']) assert.equal(canonicalQuantity(text), text);
  });
});
