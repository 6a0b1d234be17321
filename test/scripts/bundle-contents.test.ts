import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distDir } from '../support/dist';

const bundle = (name: string) => readFileSync(join(distDir(), name, 'index.js'), 'utf8');

// Strings only WeChat API calls and the token fetcher carry: every endpoint's path, and the
// token request's grant type and force_refresh flag.
const WECHAT_API_CODE = /cgi-bin\/|client_credential|force_refresh/g;

describe('what each bundle carries', () => {
  it('the callback bundle holds no WeChat endpoint, mass-send or token code: it never calls the API', () => {
    expect(bundle('callback').match(WECHAT_API_CODE) ?? []).toEqual([]);
  });

  it('the bundles that call WeChat do hold that code, so the check above can see it', () => {
    for (const name of ['refresh-token', 'send-by-tag', 'status']) {
      const found = new Set(bundle(name).match(WECHAT_API_CODE));
      expect(found, name).toEqual(new Set(['cgi-bin/', 'client_credential', 'force_refresh']));
    }
    expect(bundle('send-by-tag')).toContain('cgi-bin/message/mass/sendall');
    expect(bundle('refresh-token')).toContain('cgi-bin/stable_token');
  });
});
