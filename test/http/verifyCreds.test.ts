import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, type TestServer } from '../helpers/server.js';

const UNAUTHORIZED = { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } };

describe('POST /verify-creds', () => {
  let server: TestServer;
  let bare: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ FACEBOOK_APP_ID: '123456789012345', FACEBOOK_CONFIG_ID: '987654321098765', FACEBOOK_USER_TOKEN: 'EAAG-user-token' });
    bare = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
    await bare?.stop();
  });

  it('answers the FACEBOOK_* settings to the global key', async () => {
    const res = await server.call('POST', '/verify-creds');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, message: 'Credentials are valid', facebookAppId: '123456789012345', facebookConfigId: '987654321098765', facebookUserToken: 'EAAG-user-token' });
  });

  it('answers nulls where the settings are not configured', async () => {
    expect((await bare.call('POST', '/verify-creds', {})).body).toEqual({ status: 200, message: 'Credentials are valid', facebookAppId: null, facebookConfigId: null, facebookUserToken: null });
  });

  it('refuses a missing key, a wrong key and an instance token with 401', async () => {
    const token = await connectedSandbox(server, 'vc', '5511977770001');
    for (const key of [null, 'wrong-key', token]) {
      const res = await server.call('POST', '/verify-creds', undefined, key);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    }
  });
});
