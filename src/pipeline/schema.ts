/**
 * The JSON Schema (draft-07) of Pistages job files.
 *
 * This object is the single source of truth: `parse.ts` validates with it (through ajv), and
 * `schema/pistages.schema.json`, the file editors load through yaml-language-server, is written from it
 * by `npm run schema`. A unit test fails when the two differ.
 *
 * Rules a schema cannot state (unique step ids, duration and memory ranges, the layout of a
 * mis-indented step) live in `semantic-checks.ts` and `yaml-syntax.ts`.
 */

/** Step ids, group names and parameter names: usable in `{{ .steps.<id>... }}` and in log prefixes. */
export const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';
/** Environment variable and secret names, as a POSIX shell accepts them. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** `90s`, `10m`, `1h`, `1h30m`, `2m30s`: units in this order, each at most once. */
export const DURATION_PATTERN = '^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$';
/** `512m`, `1g`, `1.5g`, `256k`, or a plain number of bytes; units are powers of 1024, as in Docker. */
export const MEMORY_PATTERN = '^[0-9]+(?:\\.[0-9]+)? ?(?:[bB]|[kKmMgG][bB]?)?$';

export const STEP_KEYS = ['id', 'name', 'dep', 'run', 'image', 'with', 'env', 'timeout', 'resources'] as const;
export const JOB_KEYS = [
  'name',
  'description',
  'image',
  'run',
  'with',
  'env',
  'uses',
  'timeout',
  'retry',
  'resources',
  'secrets',
  'on',
] as const;
export const RESOURCE_KEYS = ['cpus', 'memory', 'pids'] as const;
export const TRIGGER_KEYS = ['push', 'pull_request'] as const;
export const PUSH_KEYS = ['branches', 'tags', 'paths'] as const;
export const PULL_REQUEST_KEYS = ['branches', 'paths'] as const;

const globList = (what: string, example: string) => ({
  type: 'array',
  description: `${what} Glob patterns (\`*\` within a path segment, \`**\` across segments, a leading \`!\` excludes). Example: ${example}`,
  items: { type: 'string', minLength: 1 },
});

export const jobSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $comment: 'Generated from src/pipeline/schema.ts by `npm run schema`; edit that file, not this one.',
  title: 'Pistages job',
  description:
    'A Pistages job file. The same file can be run as a job or registered under its `name` and reused by other jobs as an action (`dep:`).',
  type: 'object',
  required: ['name'],
  oneOf: [{ required: ['run'] }, { required: ['uses'] }],
  additionalProperties: false,
  properties: {
    name: {
      title: 'Name',
      description: 'Display name; the registry key when the file is registered as an action. Any text.',
      type: 'string',
      pattern: '\\S',
    },
    description: { title: 'Description', description: 'Shown in the UI and by `pistages actions`.', type: 'string' },
    image: {
      $ref: '#/definitions/image',
      description:
        'Container image of the steps when nothing closer gives one (with `uses`: the default image of a group whose first step has none).',
    },
    run: {
      $ref: '#/definitions/commands',
      description: 'The command(s) of a one-step job. Not allowed together with `uses`.',
    },
    with: { $ref: '#/definitions/parameters' },
    env: { $ref: '#/definitions/environment' },
    uses: {
      title: 'Groups',
      description: 'Groups run in parallel; the steps of a group run in order, each after the previous one succeeded.',
      type: 'object',
      minProperties: 1,
      propertyNames: { $ref: '#/definitions/identifier' },
      additionalProperties: { $ref: '#/definitions/group' },
    },
    timeout: { $ref: '#/definitions/duration', description: 'Time limit of each step that sets none itself.' },
    retry: {
      title: 'Retries',
      description: 'Automatic retries of a failed group: `retry: 2` means at most three attempts. Default: the server setting.',
      type: 'integer',
      minimum: 0,
    },
    resources: { $ref: '#/definitions/resources' },
    secrets: {
      title: 'Secrets',
      description: 'Names of stored secrets exposed to every step as environment variables of the same name.',
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: ENV_NAME_PATTERN },
    },
    on: {
      title: 'Triggers',
      description:
        "Which pushes and pull requests run this job (only for jobs in a repository's `.pistages/` folder). Without `on`: every push to a branch, no pull requests.",
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: {
        push: {
          title: 'Push trigger',
          description: 'Run on pushes. Without filters: every branch, no tags, any change.',
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            branches: globList('Branches that trigger (default: every branch).', '`[main, "release/*"]`'),
            tags: globList('Tags that trigger (default: none).', '`["v*"]`'),
            paths: globList('Run only if a changed file matches (default: any change).', '`["src/**", "!docs/**"]`'),
          },
        },
        pull_request: {
          title: 'Pull request trigger',
          description:
            'Run on pull requests when they are opened, reopened or pushed to. Without filters: every base branch, any change.',
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            branches: globList('Base branches (the branch merged into) that trigger (default: every branch).', '`[main]`'),
            paths: globList('Run only if a file changed by the pull request matches (default: any change).', '`["src/**", "!docs/**"]`'),
          },
        },
      },
    },
  },
  definitions: {
    identifier: { type: 'string', pattern: IDENTIFIER_PATTERN },
    image: {
      title: 'Image',
      type: 'string',
      pattern: '^\\S+$',
      examples: ['alpine/git', 'node:20-alpine'],
    },
    commands: {
      title: 'Commands',
      description: 'A command or a list of commands; each runs with `sh -e -c` in `/workspace`.',
      type: ['string', 'array'],
      minLength: 1,
      minItems: 1,
      items: { type: 'string', minLength: 1 },
    },
    scalar: { type: ['string', 'number', 'boolean'] },
    parameters: {
      title: 'Parameters',
      description: 'Parameter names and their values, referenced in templates as `{{ .name }}`.',
      type: 'object',
      propertyNames: { $ref: '#/definitions/identifier' },
      additionalProperties: { $ref: '#/definitions/scalar' },
    },
    environment: {
      title: 'Environment',
      description: 'Environment variables; values are templates. Numbers and booleans are kept as written.',
      type: 'object',
      propertyNames: { type: 'string', pattern: ENV_NAME_PATTERN },
      additionalProperties: { $ref: '#/definitions/scalar' },
    },
    duration: {
      title: 'Duration',
      type: 'string',
      pattern: DURATION_PATTERN,
      examples: ['90s', '10m', '1h30m'],
    },
    resources: {
      title: 'Resources',
      description: 'Limits for every container this applies to.',
      type: 'object',
      additionalProperties: false,
      properties: {
        cpus: { description: 'CPUs, fractions allowed (`0.5`).', type: 'number', exclusiveMinimum: 0 },
        memory: {
          description: 'Memory limit: `512m`, `512mb`, `1g`, `1gb`, `256k` (powers of 1024, the units of PISTAGES_LOG_CAP) or a number of bytes. At least 6m.',
          type: ['string', 'integer'],
          pattern: MEMORY_PATTERN,
        },
        pids: { description: 'Maximum number of processes.', type: 'integer', minimum: 1 },
      },
    },
    step: {
      title: 'Step',
      description: 'Exactly one of `dep` (run a registered action) or `run` (run commands).',
      type: 'object',
      oneOf: [{ required: ['dep'] }, { required: ['run'] }],
      additionalProperties: false,
      properties: {
        id: {
          $ref: '#/definitions/identifier',
          description: 'Unique in the group; later steps read outputs as `{{ .steps.<id>.outputs.<key> }}`.',
        },
        name: { description: 'Display name of the step.', type: 'string' },
        dep: { description: 'Name of a registered action to run.', type: 'string', pattern: '\\S' },
        run: { $ref: '#/definitions/commands' },
        image: {
          $ref: '#/definitions/image',
          description: 'Start a new container from this image for this step (otherwise the previous container is reused).',
        },
        with: { $ref: '#/definitions/parameters' },
        env: { $ref: '#/definitions/environment' },
        timeout: { $ref: '#/definitions/duration' },
        resources: { $ref: '#/definitions/resources' },
      },
    },
    group: {
      title: 'Group',
      description: 'Steps run in order; a failed step skips the rest of its group.',
      type: 'array',
      minItems: 1,
      items: { $ref: '#/definitions/step' },
    },
  },
} as const;
