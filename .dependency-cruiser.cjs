/** Dependency direction: pipeline <- executor <- everything else; only main.ts builds adapters. */
module.exports = {
  forbidden: [
    {
      name: 'pipeline-is-pure',
      comment: 'src/pipeline imports nothing else from src/ and no I/O modules.',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { pathNot: ['^src/pipeline/', '^node_modules/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pipeline-no-io',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { dependencyTypes: ['core'], path: '^(fs|net|http|https|child_process|dgram|node:fs|node:net|node:http|node:https|node:child_process)' },
    },
    {
      name: 'executor-only-pipeline',
      comment: 'the executor sees only the pipeline (and its own docker adapter).',
      severity: 'error',
      from: { path: '^src/executor/' },
      to: { path: '^src/', pathNot: ['^src/executor/', '^src/pipeline/'] },
    },
    {
      name: 'run-job-knows-no-docker',
      severity: 'error',
      from: { path: '^src/executor/(?!docker/)' },
      to: { path: ['^src/executor/docker/', '^node_modules/dockerode'] },
    },
    {
      name: 'adapters-see-only-interfaces',
      comment: 'store, scheduler and github import only pipeline/executor types and themselves.',
      severity: 'error',
      from: { path: '^src/(store|scheduler|github)/' },
      to: { path: '^src/(server|cli|main)' },
    },
    {
      name: 'core-knows-no-github',
      comment: 'runs execute the same whoever triggered them: the core never imports the GitHub layer or Octokit.',
      severity: 'error',
      from: { path: '^src/(pipeline|executor|worker|scheduler|store|runs)/' },
      to: { path: ['^src/github/', '^node_modules/@octokit/'] },
    },
    {
      name: 'application-layer-has-no-http',
      comment: 'src/runs is called by the API, the CLI and the webhook: no express, no HTTP errors.',
      severity: 'error',
      from: { path: '^src/runs/' },
      to: { path: ['^node_modules/express', '^src/(server|cli|github|main)'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
