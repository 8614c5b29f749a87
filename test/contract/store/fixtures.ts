import type { Plan } from '../../../src/pipeline/types.ts';
import type { ActionRegistry, ApiTokenStore, DeliveryLog, DeliveryStore, LogStore, NewRun, ReportStateStore, RunCredentialStore, RunStore, SecretStore } from '../../../src/store/store.ts';

/** What a store implementation hands the contract suite. */
export interface StoreSet {
  runs: RunStore;
  logs: LogStore;
  actions: ActionRegistry;
  secrets: SecretStore;
  deliveries: DeliveryStore;
  deliveryLog: DeliveryLog;
  credentials: RunCredentialStore;
  reports: ReportStateStore;
  tokens: ApiTokenStore;
}

export interface StoreFixture {
  stores: StoreSet;
  /** drops the data and releases connections */
  cleanup(): Promise<void>;
  /** everything the implementation persisted, as text (e.g. EJSON of every collection) */
  rawSnapshot?(): Promise<string>;
}

/**
 * Builds empty stores. The stores must take their own timestamps (createdAt, updatedAt, ...)
 * from `clock`, so the suite can control time.
 */
export type MakeStores = (clock: () => Date) => Promise<StoreFixture>;

export class TestClock {
  #t: number;
  /** starts near now (to the minute): a server with real TTL indexes would expire documents stamped long ago */
  constructor(start = Math.floor(Date.now() / 60_000) * 60_000) {
    this.#t = start;
  }
  readonly now = (): Date => new Date(this.#t);
  advance(ms: number): Date {
    this.#t += ms;
    return this.now();
  }
}

export function testPlan(groups: Record<string, string[]> = { build: ['checkout', 'compile'], test: ['unit', 'lint'] }): Plan {
  return {
    job: 'ci',
    file: '.pistages/ci.yaml',
    params: { 'go.version': '1.22', $weird: true },
    secrets: ['NPM_TOKEN'],
    groups: Object.entries(groups).map(([name, steps]) => ({
      name,
      steps: steps.map((step, index) => ({
        index,
        name: step,
        image: 'alpine:3.20',
        container: 0,
        startsContainer: index === 0,
        commands: [`echo ${step}`],
        env: { 'DOTTED.NAME': 'x', $DOLLAR: 'y', PLAIN: 'z' },
        actions: [],
        pos: { file: '.pistages/ci.yaml', line: 3 + index, col: 7 },
      })),
    })),
  };
}

export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  const plan = overrides.plan ?? testPlan();
  return {
    job: plan.job,
    source: 'push',
    yaml: 'name: ci\nuses: {}\n',
    file: plan.file,
    params: { 'go.version': '1.22', $weird: true, n: 3 },
    plan,
    repo: 'acme/api',
    sha: 'a'.repeat(40),
    ref: 'refs/heads/main',
    branch: 'main',
    cloneUrl: 'https://github.com/acme/api.git',
    event: 'push',
    installationId: 42,
    ...overrides,
  };
}
