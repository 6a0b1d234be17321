import type { ApiBody, ApiRequest } from './api-types';
import type { AccountSeed } from './accounts';
import { WeChatError } from './errors';

/**
 * `GET /cgi-bin/token` and `POST /cgi-bin/stable_token`. A wrong AppSecret answers 40001
 * ("invalid credential") on the token call itself, an unknown AppID 40013, a grant_type
 * other than client_credential 40002.
 */
function authenticate(req: ApiRequest, grantType: unknown, appid: unknown, secret: unknown): AccountSeed {
  if (grantType !== 'client_credential') throw new WeChatError(40002, 'grant_type');
  if (typeof appid !== 'string' || appid === '') throw new WeChatError(41002);
  const account = req.state.accounts.get(appid);
  if (!account) throw new WeChatError(40013, 'appid');
  req.caller = appid;
  if (typeof secret !== 'string' || secret === '') throw new WeChatError(41004);
  if (secret !== account.secret) throw new WeChatError(40001, 'appsecret');
  return account;
}

export function issueToken(req: ApiRequest): ApiBody {
  const { query, state } = req;
  const account = authenticate(req, query.get('grant_type'), query.get('appid'), query.get('secret'));
  const record = state.tokens.issueClassic(account.appid, state.quotas.limits);
  return { access_token: record.value, expires_in: state.settings.tokenTtlSeconds };
}

export function issueStableToken(req: ApiRequest): ApiBody {
  const { body, state } = req;
  const account = authenticate(req, body.grant_type, body.appid, body.secret);
  const force = body.force_refresh ?? false;
  if (typeof force !== 'boolean') throw new WeChatError(40097, 'force_refresh');
  const record = state.tokens.stable(account.appid, force, state.quotas.limits);
  if (force) req.notes.push('force_refresh');
  return { access_token: record.value, expires_in: state.tokens.remainingSeconds(record) };
}
