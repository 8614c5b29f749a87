import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beyondCapacity } from '../../../src/executor/capacity.ts';
import { sketchPlan } from '../../support/run-harness.ts';

describe('beyondCapacity', () => {
  const plan = sketchPlan({ groups: { build: [{ run: 'make' }], deploy: [{ run: 'a' }, { name: 'push', image: 'b:1', run: 'b' }] } });
  const withCpus = (cpus: number) => {
    const copy = structuredClone(plan);
    copy.groups[1]!.steps[1]!.resources = { cpus };
    return copy;
  };

  it('passes a plan without limits, and limits up to the host\'s CPUs', () => {
    assert.equal(beyondCapacity(plan, { cpus: 2 }), undefined);
    assert.equal(beyondCapacity(withCpus(2), { cpus: 2 }), undefined);
  });

  it('names the first step that asks for more CPUs than the engine has, and the fix', () => {
    assert.equal(
      beyondCapacity(withCpus(2.5), { cpus: 2 }),
      'step "push" of group "deploy" asks for cpus: 2.5, but the Docker engine of this worker has 2 CPUs; set `resources.cpus` to at most 2',
    );
  });
});
