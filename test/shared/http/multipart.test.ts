import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/http/http-error';
import { isMultipart, parseMultipart } from '../../../shared/http/multipart';

const TYPE = 'multipart/form-data; boundary=XyZ';
const body = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');

describe('parseMultipart', () => {
  it('reads files and text fields as curl -F sends them', async () => {
    const form = new FormData();
    form.append(
      'media',
      new Blob([Buffer.from([0xff, 0xd8, 0xff, 0x0d, 0x0a, 0x2d, 0x2d])], { type: 'image/jpeg' }),
      'a b.jpg',
    );
    form.append('title', 'Hello 世界');
    const request = new Request('http://x/', { method: 'POST', body: form });
    const raw = Buffer.from(await request.arrayBuffer());
    const parsed = parseMultipart(request.headers.get('content-type')!, raw);
    expect(parsed.fields).toEqual({ title: 'Hello 世界' });
    expect(parsed.files.media).toEqual({
      filename: 'a b.jpg',
      contentType: 'image/jpeg',
      data: Buffer.from([0xff, 0xd8, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]),
    });
  });

  it('accepts a quoted boundary', () => {
    const parsed = parseMultipart(
      'multipart/form-data; boundary="XyZ"',
      body('--XyZ\nContent-Disposition: form-data; name="a"\n\n1\n--XyZ--\n'),
    );
    expect(parsed.fields).toEqual({ a: '1' });
  });

  it.each([
    ['no boundary parameter', 'multipart/form-data', '--XyZ--'],
    ['a boundary that never occurs', TYPE, 'hello'],
    ['a missing closing boundary', TYPE, '--XyZ\nContent-Disposition: form-data; name="a"\n\n1'],
    ['a part without headers', TYPE, '--XyZ\nno blank line\n--XyZ--'],
    ['a part that is not form-data', TYPE, '--XyZ\nContent-Disposition: attachment\n\n1\n--XyZ--'],
  ])('answers 400 for %s', (_name, contentType, text) => {
    let error: unknown;
    try {
      parseMultipart(contentType, body(text));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_multipart' });
  });

  it('recognises multipart content types only', () => {
    expect(isMultipart('multipart/form-data; boundary=a')).toBe(true);
    expect(isMultipart('application/json')).toBe(false);
    expect(isMultipart(undefined)).toBe(false);
  });
});
