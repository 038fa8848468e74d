import { describe, expect, it } from 'vitest';
import { corsConfiguration, localCorsOrigins, preflightHeaders, responseHeaders } from './cors.js';

const dev = ['http://localhost:3000', 'http://localhost:5173'];

describe("npm start's origins", () => {
  it("are the dev stage's, and CORS_ORIGINS adds to them", () => {
    expect(localCorsOrigins(dev, undefined)).toEqual(dev);
    expect(localCorsOrigins(dev, '')).toEqual(dev);
    expect(
      localCorsOrigins(dev, ' http://localhost:4200 , https://app.example.cn,http://localhost:5173'),
    ).toEqual([...dev, 'http://localhost:4200', 'https://app.example.cn']);
  });

  it('refuse what a browser never sends as an origin, naming it', () => {
    for (const wrong of [
      'http://localhost:5173/',
      'localhost:5173',
      'http://localhost:5173/app',
      'https://*.example.cn',
    ]) {
      expect(() => localCorsOrigins(dev, `http://localhost:4200,${wrong}`), wrong).toThrow(
        `CORS_ORIGINS=http://localhost:4200,${wrong}: ${wrong} is not an origin`,
      );
    }
    expect(localCorsOrigins([], '*,https://*')).toEqual(['*', 'https://*']);
  });
});

describe('the allowed origins, as API Gateway matches them', () => {
  it('echo a listed origin, and nothing for one not listed or none', () => {
    const config = corsConfiguration(dev);
    expect(responseHeaders(config, 'http://localhost:5173')['access-control-allow-origin']).toBe(
      'http://localhost:5173',
    );
    expect(responseHeaders(config, 'http://localhost:5174')).toEqual({});
    expect(responseHeaders(config, undefined)).toEqual({});
    expect(preflightHeaders(config, 'https://localhost:5173')).toEqual({});
  });

  it('take `*` for any origin and `https://*` for any of that scheme', () => {
    expect(responseHeaders(corsConfiguration(['*']), 'http://x.example')['access-control-allow-origin']).toBe(
      '*',
    );
    const https = corsConfiguration(['https://*']);
    expect(preflightHeaders(https, 'https://app.example.cn')['access-control-allow-origin']).toBe(
      'https://app.example.cn',
    );
    expect(preflightHeaders(https, 'http://app.example.cn')).toEqual({});
  });
});
