import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localOwnerLabels, objectName, runLabels, scopeLabels } from '../../../../src/executor/docker/labels.ts';

describe('labels', () => {
  it('objectName makes engine-valid names from any text', () => {
    const name = objectName(['run/42', 'Build & Test', 'a1', 'c0'], 'beef');
    assert.equal(name, 'pistages-run-42-Build-Test-a1-c0-beef');
    assert.match(objectName(['ünïcode', '---', '.hidden'], '01'), /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
    assert.ok(objectName(['x'.repeat(500)], '01').length < 60);
  });

  it('scopeLabels marks objects as managed and names their run', () => {
    assert.deepEqual(scopeLabels({ runId: 'r1', job: 'J', group: 'g', attempt: 3 }), {
      'pistages.run': 'r1',
      'pistages.job': 'J',
      'pistages.group': 'g',
      'pistages.attempt': '3',
      'pistages.managed': 'true',
    });
  });

  it('runLabels marks run-wide objects; localOwnerLabels names the host and process of a local run', () => {
    assert.deepEqual(runLabels('r1', 'J', localOwnerLabels('laptop', 4242)), {
      'pistages.host': 'laptop',
      'pistages.pid': '4242',
      'pistages.run': 'r1',
      'pistages.job': 'J',
      'pistages.managed': 'true',
    });
  });
});
