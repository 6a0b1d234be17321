import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { speedRoutes } from '../../shared/api/routes/speed';
import { API_KEY, createApiHarness, type ApiHarness } from '../support/api-harness';

describe('GET and PUT /speed', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(speedRoutes);
  });
  afterEach(() => api.close());

  it('GET answers the level and realspeed in users a minute (WeChat counts in units of 10,000)', async () => {
    api.serveToken();
    api.serve('/cgi-bin/message/mass/speed/get', '{"speed":2,"realspeed":45}');
    const res = await api.invoke({ method: 'GET', path: '/speed', apiKey: API_KEY });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ speed: 2, usersPerMinute: 450_000 });
    expect(api.calls[0]!.raw).toBe('{}');
  });

  it("PUT sets the level and answers that level's speed", async () => {
    api.serveToken();
    api.serve('/cgi-bin/message/mass/speed/set', '{"errcode":0,"errmsg":"ok"}');
    const res = await api.invoke({ method: 'PUT', path: '/speed', body: { speed: 4 }, apiKey: API_KEY });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ speed: 4, usersPerMinute: 100_000 });
    expect(api.calls[0]!.json).toEqual({ speed: 4 });
  });

  it('PUT names a speed outside 0–4 or not whole', async () => {
    for (const speed of [5, -1, 1.5, '1']) {
      const res = await api.invoke({ method: 'PUT', path: '/speed', body: { speed }, apiKey: API_KEY });
      expect(res.statusCode).toBe(400);
      expect(res.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['speed']);
    }
  });

  it('PUT says which levels exist', async () => {
    const res = await api.invoke({ method: 'PUT', path: '/speed', body: { speed: 5 }, apiKey: API_KEY });
    expect(res.json.error.fields).toEqual([{ path: 'speed', reason: 'must be 0 (fastest) to 4 (slowest)' }]);
  });

  it('answers 405 with Allow: GET, PUT for POST', async () => {
    const res = await api.invoke({ method: 'POST', path: '/speed', body: { speed: 1 }, apiKey: API_KEY });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, PUT');
  });

  it('answers 502 when WeChat replies with something unreadable', async () => {
    api.serveToken();
    api.serve('/cgi-bin/message/mass/speed/get', '<html>gateway</html>');
    const res = await api.invoke({ method: 'GET', path: '/speed', apiKey: API_KEY });
    expect(res.statusCode).toBe(502);
    expect(res.json.error.code).toBe('wechat_bad_reply');
  });
});
