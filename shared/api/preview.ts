import type { WeChatClient } from '../wechat/client';
import { massPreview } from '../wechat/endpoints';
import { mediaField, toPreviewMessage } from './message';
import type { PreviewRequest, PreviewResponse } from './schemas';
import { callWeChat } from './call-wechat';

/**
 * Sends the message to one person to check how it looks (WeChat allows 100 previews a day).
 * `towxname` is WeChat's name for a WeChat ID; when both are given WeChat prefers it, so the
 * request schema accepts exactly one of openId and wechatId.
 */
export interface PreviewDeps {
  client: WeChatClient;
}

export async function preview(deps: PreviewDeps, request: PreviewRequest): Promise<PreviewResponse> {
  const to = 'openId' in request ? { touser: request.openId } : { towxname: request.wechatId };
  const reply = await callWeChat(
    deps.client,
    massPreview,
    { ...to, ...toPreviewMessage(request.message) },
    {
      openId: 'openId' in request ? 'openId' : 'wechatId',
      wechatId: 'wechatId',
      mediaId: mediaField(request.message),
      messageType: 'message.type',
      content: 'message.content',
      title: 'message.title',
      // 45004 ("description size out of limit") is the digest's code in the table.
      digest: 'message.description',
    },
  );
  return reply.msg_id ? { msgId: reply.msg_id } : {};
}
