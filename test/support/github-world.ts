/**
 * Set-up shared by the GitHub tests: an App key pair, a fake GitHub that knows the App and a
 * personal token, repositories in a temporary folder, and a logger that keeps what it was told.
 */
import { generateKeyPairSync } from 'node:crypto';
import { FakeGithub } from './fake-github.ts';
import { GitFixture } from './git-fixture.ts';

export const APP_ID = 4242;
export const USER_TOKEN = 'fake-personal-token-0123456789';

export interface RecordingLog {
  warn(o: object, m?: string): void;
  info(o: object, m?: string): void;
  debug(o: object, m?: string): void;
  warnings: Array<{ fields: object; message?: string }>;
}

export function recordingLog(): RecordingLog {
  const warnings: RecordingLog['warnings'] = [];
  return {
    warnings,
    warn: (fields, message) => warnings.push({ fields, ...(message === undefined ? {} : { message }) }),
    info: () => undefined,
    debug: () => undefined,
  };
}

export function appKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

export interface GithubWorld {
  fake: FakeGithub;
  git: GitFixture;
  privateKey: string;
  publicKey: string;
  dispose(): Promise<void>;
}

export async function githubWorld(): Promise<GithubWorld> {
  const { privateKey, publicKey } = appKeyPair();
  const fake = await FakeGithub.start({ app: { id: APP_ID, publicKey, slug: 'pistages-test' }, tokens: { [USER_TOKEN]: 'octocat' } });
  const git = await GitFixture.create();
  return {
    fake,
    git,
    privateKey,
    publicKey,
    async dispose() {
      await fake.close();
      await git.dispose();
    },
  };
}
