/**
 * What a browser's form does with a presigned POST: the policy's fields first, the file
 * last (S3 ignores fields after the file). Used by the demo seeder and the tests.
 */
export const postToPresignedForm = (
  upload: { url: string; fields: Record<string, string> },
  bytes: Uint8Array,
  contentType: string,
): Promise<Response> => {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([bytes], { type: contentType }), 'upload.bin');
  return fetch(upload.url, { method: 'POST', body: form });
};
