import type { WeChatClient } from '../wechat/client';
import type { Endpoint } from '../wechat/endpoints';
import { type FieldPaths, toHttpError } from './wechat-errors';

/**
 * One WeChat call for an API route: the reply, or the failure as the HttpError the caller should
 * see (wechat-errors.ts), naming this request's `fields`, in this route's own wording of an
 * errcode where it has one (`messages`). Mass sends do not use it: they turn some errcodes into
 * outcomes first (mass-send.ts).
 */
export async function callWeChat<Req, Res>(
  client: WeChatClient,
  endpoint: Endpoint<Req, Res>,
  body: Req,
  fields: FieldPaths = {},
  messages: Readonly<Partial<Record<number, string>>> = {},
): Promise<Res> {
  try {
    return await client.call(endpoint, body);
  } catch (err) {
    throw toHttpError(err, fields, {}, messages);
  }
}
