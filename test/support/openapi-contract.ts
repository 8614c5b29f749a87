/**
 * GitHub's REST contract, from the OpenAPI description shipped in `@octokit/openapi`: which
 * method + path pairs exist, and whether a JSON body is one GitHub would accept. Loaded on first
 * use (13 MB) and shared by every fake in the process, since the description never changes.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

interface Operation {
  method: string;
  template: string;
  operationId: string;
  pattern: RegExp;
  /** literal segments: a path matching several templates belongs to the most specific one */
  literals: number;
  bodySchema?: object;
  validate?: ValidateFunction;
}

export type ContractCheck =
  | { ok: true; operationId: string; template: string }
  | { ok: false; operationId?: string; template?: string; reason: string };

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'];

export class OpenApiContract {
  private constructor(
    private readonly operations: Operation[],
    private readonly ajv: Ajv,
  ) {}

  private static loading: Promise<OpenApiContract> | undefined;

  /** The api.github.com description, parsed once per process. */
  static load(): Promise<OpenApiContract> {
    OpenApiContract.loading ??= OpenApiContract.read();
    return OpenApiContract.loading;
  }

  private static async read(): Promise<OpenApiContract> {
    const require = createRequire(import.meta.url);
    const packageDir = dirname(require.resolve('@octokit/openapi/package.json'));
    const text = await readFile(join(packageDir, 'generated', 'api.github.com.json'), 'utf8');
    const doc = JSON.parse(text) as { paths: Record<string, Record<string, PathItemOperation>>; components: object };
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    const operations: Operation[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const multiSegment = new Set((op.parameters ?? []).filter((p) => p['x-multi-segment']).map((p) => p.name));
        const body = op.requestBody?.content?.['application/json']?.schema;
        operations.push({
          method: method.toUpperCase(),
          template,
          operationId: op.operationId ?? `${method} ${template}`,
          pattern: templatePattern(template, multiSegment),
          literals: template.split('/').filter((s) => s && !s.includes('{')).length,
          ...(body ? { bodySchema: rebase(body) as object } : {}),
        });
      }
    }
    return new OpenApiContract(operations, ajv);
  }

  /** Is `method path` an operation of GitHub's API, and is `body` (if any) valid for it? */
  check(method: string, path: string, body: unknown): ContractCheck {
    const matching = this.operations.filter((op) => op.pattern.test(path));
    if (matching.length === 0) return { ok: false, reason: `no operation has the path ${path}` };
    const candidates = matching.filter((op) => op.method === method.toUpperCase());
    if (candidates.length === 0) {
      return { ok: false, reason: `${method} is not allowed on ${path} (only ${[...new Set(matching.map((op) => op.method))].join(', ')})` };
    }
    const op = candidates.sort((a, b) => b.literals - a.literals)[0] as Operation;
    const named = { operationId: op.operationId, template: op.template };
    if (!op.bodySchema || body === undefined) return { ok: true, ...named };
    op.validate ??= this.ajv.compile(op.bodySchema);
    if (op.validate(body)) return { ok: true, ...named };
    const errors = (op.validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`);
    return { ok: false, ...named, reason: `invalid body for ${op.operationId}: ${errors.join('; ')}` };
  }
}

interface PathItemOperation {
  operationId?: string;
  parameters?: Array<{ name: string; 'x-multi-segment'?: boolean }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

function templatePattern(template: string, multiSegment: Set<string>): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const param = /^\{([^}]+)\}$/.exec(part);
      if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      return multiSegment.has(param[1] as string) ? '.+' : '[^/]+';
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** Points the body schema's `#/components/...` references at the components registered as `openapi`. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `openapi${value}` : rebase(value)]),
  );
}
