/** Reading a service's OpenAPI document: its operations, as the tests enumerate them. */

export interface Operation {
  method: string;
  /** The document's path template, e.g. `/api/items/{id}`. */
  path: string;
  operationId: string;
  /** The security schemes it accepts (empty when public). */
  security: string[];
  /** The JSON schema of its request body, when it takes one. */
  bodySchema?: Record<string, unknown>;
}

interface OpenApiOperation {
  operationId: string;
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

export async function fetchDocument(apiUrl: string, service: string): Promise<OpenApiDocument> {
  const res = await fetch(`${apiUrl}/api/${service}/openapi.json`);
  if (res.status !== 200) throw new Error(`${service}: GET openapi.json answered ${res.status}`);
  return (await res.json()) as OpenApiDocument;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => {
      const operation = item[method]!;
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      return {
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        security: (operation.security ?? []).flatMap((requirement) => Object.keys(requirement)),
        ...(bodySchema ? { bodySchema } : {}),
      };
    }),
  );
}

export const label = (operation: { method: string; path: string }) => `${operation.method} ${operation.path}`;
