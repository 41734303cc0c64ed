// The OpenID provider the tests sign in through: npm's `oidc-provider` (an implementation
// certified by the OpenID Foundation), on loopback, with a few people of a ministry's identity
// provider and a login form of its own. `cargo xtask test` installs it (`npm ci`, the versions
// pinned in package-lock.json) and starts it; nothing here runs in production.
//
//   PORT=… node provider.mjs     → prints "listening on http://127.0.0.1:PORT" when ready
//
// Clients are registered by the tests themselves (dynamic registration, RFC 7591), each with
// the redirect address of its own test server. Consent is implied (the ministry's own
// application), as a ministry's identity provider configures its first-party clients.

import * as http from 'node:http';
import * as querystring from 'node:querystring';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT ?? 0);
const issuer = `http://127.0.0.1:${port}`;

// The people of the test identity provider: the password each signs in with, and the claims it
// gives about them. `groups` is what the mapping file maps to roles.
const people = {
  'hoang.minh.duc': {
    password: 'Mật khẩu định danh của Đức 2026',
    claims: {
      preferred_username: 'hoang.minh.duc',
      name: 'Hoàng Minh Đức',
      email: 'duc.hm@most.gov.vn',
      email_verified: true,
      groups: ['bkhcn-bao-cao'],
    },
  },
  'vu.thu.ha': {
    password: 'Mật khẩu định danh của Hà 2026',
    claims: {
      preferred_username: 'vu.thu.ha',
      name: 'Vũ Thu Hà',
      email: 'ha.vt@mof.gov.vn',
      email_verified: false,
      groups: ['btc-duyet', 'nhom-khong-anh-xa'],
    },
  },
  // The provider has an "admin" too: the server's break-glass account must never be signed in
  // by it.
  admin: {
    password: 'Mật khẩu định danh của admin 2026',
    claims: { preferred_username: 'admin', name: 'Quản trị cổng định danh', groups: [] },
  },
};

const provider = new Provider(issuer, {
  clientDefaults: {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // The claims go in the ID token itself, as many government providers do, so the client
  // needs no userinfo call.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
  },
  async findAccount(_ctx, id) {
    const person = Object.hasOwn(people, id) ? people[id] : undefined;
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...person.claims };
      },
    };
  },
  // Consent is implied: the grant is everything asked for.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email groups');
    grant.addOIDCClaims(['name', 'preferred_username', 'email', 'email_verified', 'groups']);
    await grant.save();
    return grant;
  },
  ttl: { Session: 60 * 10, Interaction: 60 * 10, Grant: 60 * 10 },
});
provider.proxy = false;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, message) {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng định danh thử</title></head>
<body><h1>Cổng định danh của Bộ (thử)</h1>${message ? `<p id="error">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Tên đăng nhập</label><input id="login" name="login" required>
<label for="password">Mật khẩu</label><input id="password" name="password" type="password" required>
<button type="submit" id="sign-in">Đăng nhập</button></form></body></html>`;
}

async function readBody(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('body too large');
  }
  return querystring.parse(body);
}

// The provider's own routes, and the interaction (the login form) in front of them.
const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url.split('?')[0]);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') {
      // Consent is implied (loadExistingGrant): finish with the grant as it is.
      await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
      return;
    }
    if (req.method === 'GET' && !match[2]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(details.uid));
      return;
    }
    if (req.method === 'POST' && match[2]) {
      const form = await readBody(req);
      const person = Object.hasOwn(people, form.login) ? people[form.login] : undefined;
      if (!person || person.password !== form.password) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
        res.end(loginPage(details.uid, 'Sai tên đăng nhập hoặc mật khẩu.'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: form.login } }, {
        mergeWithLastSubmission: false,
      });
      return;
    }
    res.writeHead(405);
    res.end();
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`interaction failed: ${error.message}`);
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
