import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_FUNCTIONS, API_ROUTES } from '../../../shared/api/route-table';
import { functionNames } from '../../../scripts/build';

const root = resolve(import.meta.dirname, '../../..');
// Functions that are not HTTP API functions: WeChat's callback and the two timers.
const NOT_API = ['callback', 'dispatcher', 'refresh-token'];

describe('the route table', () => {
  it('has every API function folder, and nothing else', () => {
    expect(Object.keys(API_FUNCTIONS).sort()).toEqual(functionNames().filter((name) => !NOT_API.includes(name)));
  });

  it("gives each entry point exactly its own routes, from its function's file", () => {
    for (const name of Object.keys(API_FUNCTIONS)) {
      const source = readFileSync(resolve(root, 'functions', name, 'index.ts'), 'utf8');
      expect(source, name).toMatch(new RegExp(`from '\\.\\./\\.\\./shared/api/routes/${name}'`));
      expect(source, name).toMatch(/apiFunction\(\w+Routes, process\.env\)/);
    }
  });

  it('declares each method and path once, with a unique operationId', () => {
    const keys = API_ROUTES.map(({ route }) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    const ids = API_ROUTES.map(({ route }) => route.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts every route under its function (the gateway sends /<function>/… to the function)', () => {
    for (const { functionName, route } of API_ROUTES) {
      expect(route.path === `/${functionName}` || route.path.startsWith(`/${functionName}/`), route.path).toBe(true);
    }
  });
});
