import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValidationError } from '../../../src/pipeline/errors.ts';
import { buildPlan } from '../../../src/pipeline/plan.ts';
import { createTemplates, render } from '../../../src/pipeline/template.ts';
import type { JobFile } from '../../../src/pipeline/types.ts';
import { catalogOf, job } from './job-builders.ts';

const templateFree = fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !s.includes('{{'));
const braceFree = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('{') && !s.includes('}'));

test('rendering pastes values verbatim (no escaping) between literal text', () => {
  fc.assert(
    fc.property(braceFree, fc.string({ unit: 'binary' }), braceFree, (before, value, after) => {
      assert.equal(render(`${before}{{ .v }}${after}`, { v: value }), `${before}${value}${after}`);
      assert.equal(render(`${before}{{v}}${after}`, { v: value }), `${before}${value}${after}`);
    }),
  );
});

test('rendering is the identity, hence idempotent, on template-free text', () => {
  fc.assert(
    fc.property(templateFree, fc.dictionary(fc.string(), fc.string()), (text, view) => {
      assert.equal(render(text, view), text);
      assert.equal(render(render(text, view), view), text);
    }),
  );
});

test('the plain-reference fast path renders exactly as the mustache path does', () => {
  const piece = fc.constantFrom('{{', '}}', '{', '}', ' ', '\n', 'a', 'b', '.', '-', '#', '!', '&', '=', '/', '{{ a }}', '{{.b}}', '{{ .c.d }}', '{{{ a }}}', '{{ steps.s.outputs.k }}');
  const fast = createTemplates();
  const slow = createTemplates({ fastPath: false });
  const view = { a: 'A&', b: 'B', c: { d: 'D' } };
  const outcome = (f: () => string) => {
    try {
      return f();
    } catch (e) {
      return `error: ${(e as Error).name}`;
    }
  };
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const text = pieces.join('');
      assert.equal(outcome(() => fast.render(text, view)), outcome(() => slow.render(text, view)), text);
    }),
    { numRuns: 2000 },
  );
});

// ---- container numbering against an independent oracle --------------------------------------------

interface StepModel {
  image?: string;
  dep?: string;
}
interface ActionModel {
  name: string;
  image?: string;
  /** composite: inner steps (run steps or deps to single-run actions) */
  inner?: StepModel[];
}
interface Scenario {
  jobImage?: string;
  actions: ActionModel[];
  groups: StepModel[][];
}

const image = fc.option(fc.constantFrom('i1', 'i2', 'i3'), { nil: undefined });
const singles = ['S0', 'S1', 'S2'];
const composites = ['C0', 'C1'];

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    jobImage: image,
    singleImages: fc.tuple(image, image, image),
    composites: fc.tuple(
      ...composites.map(() =>
        fc.record({
          image,
          inner: fc.array(fc.record({ image, dep: fc.option(fc.constantFrom(...singles), { nil: undefined }) }), { minLength: 1, maxLength: 3 }),
        }),
      ),
    ),
    groups: fc.array(
      fc.array(fc.record({ image, dep: fc.option(fc.constantFrom(...singles, ...composites), { nil: undefined }) }), { minLength: 1, maxLength: 8 }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ jobImage, singleImages, composites: comps, groups }) => ({
    jobImage,
    actions: [
      ...singles.map((name, i) => ({ name, image: singleImages[i] })),
      ...composites.map((name, i) => ({ name, image: comps[i]!.image, inner: comps[i]!.inner })),
    ],
    groups,
  }));

const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function toFiles(s: Scenario): { job: JobFile; actions: JobFile[] } {
  const actions = s.actions.map((a) =>
    a.inner === undefined
      ? job(a.name, clean({ image: a.image, run: `run ${a.name}` }))
      : job(a.name, clean({ image: a.image, uses: { main: a.inner.map((st, k) => clean({ ...st, ...(st.dep ? {} : { run: `${a.name}.${k}` }) })) } })),
  );
  const uses = Object.fromEntries(s.groups.map((g, i) => [`g${i}`, g.map((st, k) => clean({ ...st, ...(st.dep ? {} : { run: `step ${k}` }) }))]));
  return { job: job('Random', clean({ image: s.jobImage, uses })), actions };
}

/**
 * The rules as the spec states them, written independently of the implementation:
 * flatten composites to their steps (the caller's image goes to the first), then walk each group.
 */
function oracle(s: Scenario): ([string, number, boolean][] | 'error')[] {
  const byName = new Map(s.actions.map((a) => [a.name, a]));
  type Flat = { explicit?: string; fallbacks: (string | undefined)[] };
  const flatten = (step: StepModel): Flat[] => {
    const action = step.dep === undefined ? undefined : byName.get(step.dep)!;
    if (action === undefined) return [{ explicit: step.image, fallbacks: [] }];
    if (action.inner === undefined) return [{ explicit: step.image, fallbacks: [action.image] }];
    return action.inner.flatMap(flatten).map((f, i) => ({
      explicit: i === 0 && step.image !== undefined ? step.image : f.explicit,
      fallbacks: [...f.fallbacks, action.image],
    }));
  };
  return s.groups.map((group) => {
    const out: [string, number, boolean][] = [];
    let current: [string, number] | undefined;
    let count = 0;
    for (const step of group.flatMap(flatten)) {
      if (step.explicit !== undefined) {
        current = [step.explicit, count++];
        out.push([...current, true]);
      } else if (current !== undefined) {
        out.push([...current, false]);
      } else {
        const img = step.fallbacks.find((f) => f !== undefined) ?? s.jobImage;
        if (img === undefined) return 'error';
        current = [img, count++];
        out.push([...current, true]);
      }
    }
    return out;
  });
}

test('container numbers and images follow the three runtime-context rules', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { job: file, actions } = toFiles(s);
      const expected = oracle(s);
      const failing = expected.flatMap((g, i) => (g === 'error' ? [`g${i}`] : []));
      try {
        const plan = buildPlan(file, catalogOf(...actions));
        assert.deepEqual(failing, []);
        assert.deepEqual(
          plan.groups.map((g) => g.steps.map((st) => [st.image, st.container, st.startsContainer])),
          expected,
        );
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const named = [...new Set(e.issues.map((i) => /group '(g\d+)'/.exec(i.message)?.[1]))];
        assert.deepEqual(named, failing, e.message);
      }
    }),
    { numRuns: 500 },
  );
});

test('planning is deterministic', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { job: file, actions } = toFiles(s);
      const attempt = () => {
        try {
          return buildPlan(file, catalogOf(...actions));
        } catch (e) {
          return (e as Error).message;
        }
      };
      assert.deepEqual(attempt(), attempt());
    }),
    { numRuns: 200 },
  );
});
