import { describe, expect, it } from 'vitest';
import { Message, PreviewableMessage, toMassMessage, toPreviewMessage } from '../../../shared/api/message';
import { MassMessage, PreviewMessage } from '../../../shared/wechat/mass-message';

describe('toMassMessage', () => {
  it('produces bodies that satisfy the WeChat schema for every message type', () => {
    const inputs = [
      { type: 'text', content: 'x' },
      { type: 'mpnews', mediaId: 'm', sendIgnoreReprint: true },
      { type: 'image', mediaIds: ['a'], recommend: 'r', needOpenComment: true, onlyFansCanComment: true },
      { type: 'voice', mediaId: 'v' },
      { type: 'mpvideo', mediaId: 'v', title: 't', description: 'd' },
      { type: 'wxcard', cardId: 'c', cardExt: '{}' },
    ];
    for (const input of inputs) {
      const wechat = toMassMessage(Message.parse(input));
      expect(MassMessage.safeParse(wechat).success).toBe(true);
    }
  });

  it('leaves optional WeChat fields out rather than sending undefined or null', () => {
    expect(JSON.stringify(toMassMessage(Message.parse({ type: 'mpvideo', mediaId: 'v' })))).toBe(
      '{"msgtype":"mpvideo","mpvideo":{"media_id":"v"}}',
    );
  });
});

describe('toPreviewMessage', () => {
  it('uses the single image form', () => {
    const wechat = toPreviewMessage(PreviewableMessage.parse({ type: 'image', mediaId: 'i' }));
    expect(wechat).toEqual({ msgtype: 'image', image: { media_id: 'i' } });
    expect(PreviewMessage.safeParse(wechat).success).toBe(true);
  });
});
