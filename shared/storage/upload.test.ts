import { describe, expect, it } from 'vitest';
import { contentDisposition, contentMatches, downloadName, fileDownloadName, judgeUpload } from './upload.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (s: string) => new TextEncoder().encode(s);

describe('content sniffing', () => {
  it('knows only the listed types, not names an object inherits', () => {
    for (const contentType of ['constructor', '__proto__', 'tostring']) {
      expect(contentMatches(contentType, text('%PDF-1.7'), true)).toBe(false);
    }
  });

  const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  it.each([
    ['application/pdf', text('%PDF-1.4\n...'), true],
    ['application/pdf', text('<html>'), false],
    ['image/png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), true],
    ['image/png', bytes(0xff, 0xd8, 0xff, 0xe0), false],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0), true],
    [docx, bytes(0x50, 0x4b, 0x03, 0x04, 0x14), true],
    [docx, bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), false],
    ['application/msword', bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), true],
    ['application/vnd.ms-excel', bytes(0x50, 0x4b, 0x03, 0x04), false],
    ['video/mp4', bytes(0, 0, 0, 0x20, ...text('ftypisom')), true],
    ['video/mp4', text('ftypisom'), false],
    ['audio/mpeg', text('ID3\u0004'), true],
    ['audio/mpeg', bytes(0xff, 0xfb, 0x90, 0x64), true],
    ['audio/mpeg', bytes(0xff, 0x0b), false],
    ['text/plain', text('学习笔记：不忘初心'), true],
    ['text/plain', bytes(0x61, 0x00, 0x62), false],
    ['text/plain', bytes(0xc3, 0x28), false],
    ['text/html', text('<html>'), false],
  ])('%s with %s → %s', (type, head, expected) => {
    expect(contentMatches(type, head, true)).toBe(expected);
  });

  it('accepts UTF-8 cut in the middle of a character only at the end of a partial read', () => {
    const cut = text('党建').subarray(0, 4); // the second character loses its last two bytes
    expect(contentMatches('text/plain', cut, false)).toBe(true);
    expect(contentMatches('text/plain', cut, true)).toBe(false);
  });
});

describe('judging a stored upload', () => {
  const pdf = { contentType: 'application/pdf', sizeBytes: 100 };
  const head = text('%PDF-1.7');
  it.each([
    [{ sizeBytes: 100, head, complete: false, contentType: 'application/pdf' }, 1000, { accepted: true }],
    [
      { sizeBytes: 100, head, complete: false, contentType: 'text/html' },
      1000,
      { accepted: false, reason: 'type-mismatch' },
    ],
    [
      { sizeBytes: 0, head: bytes(), complete: true, contentType: 'application/pdf' },
      1000,
      { accepted: false, reason: 'empty' },
    ],
    [
      { sizeBytes: 5000, head, complete: false, contentType: 'application/pdf' },
      1000,
      { accepted: false, reason: 'too-large' },
    ],
    [
      { sizeBytes: 99, head, complete: false, contentType: 'application/pdf' },
      1000,
      { accepted: false, reason: 'size-mismatch' },
    ],
    [
      { sizeBytes: 100, head: text('GIF89a'), complete: false, contentType: 'application/pdf' },
      1000,
      { accepted: false, reason: 'type-mismatch' },
    ],
  ])('%o within %d bytes → %o', (stored, limit, verdict) => {
    expect(judgeUpload(pdf, stored, limit)).toEqual(verdict);
  });
});

describe('naming a download', () => {
  it('names a download after the title, as an attachment, RFC 5987-encoded', () => {
    expect(downloadName('党章学习（2024）', 'application/pdf')).toBe('党章学习（2024）.pdf');
    expect(downloadName('a/b\\c"d', 'video/mp4')).toBe('a_b_c_d.mp4');
    expect(fileDownloadName('会议纪要.PDF', 'application/pdf')).toBe('会议纪要.pdf');
    expect(fileDownloadName('会议纪要.pdf.exe', 'application/pdf')).toBe('会议纪要.pdf.exe.pdf');
    expect(contentDisposition("It's (new) *.pdf")).toBe(
      `attachment; filename="It's (new) *.pdf"; filename*=UTF-8''It%27s%20%28new%29%20%2A.pdf`,
    );
    expect(contentDisposition('党章.pdf')).toBe(
      `attachment; filename="__.pdf"; filename*=UTF-8''%E5%85%9A%E7%AB%A0.pdf`,
    );
    expect(contentDisposition('a;b%c.txt')).toBe(
      `attachment; filename="a_b_c.txt"; filename*=UTF-8''a%3Bb%25c.txt`,
    );
  });
});
