// An MCP client signing in through the browser, in headless Debian Chromium: the client registers
// (RFC 7591), the person signs in with the simulated org, reads the consent page and allows it;
// a second time the consent is remembered; then the person revokes the app at /connect. The
// server is `salesforce-mcp demo --http 127.0.0.1:0 --oauth on`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.SALESFORCE_MCP_BIN ?? resolve(here, '../../target/debug/salesforce-mcp');
const work = mkdtempSync(join(tmpdir(), 'sfmcp-oauth-'));
let server;
let stderr = '';
let base;
let browser;
let client;
let clientUrl;

async function waitFor(check, what, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  server = spawn(binary, ['demo', '--http', '127.0.0.1:0', '--db', join(work, 'oauth.db'), '--oauth', 'on'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr.on('data', (d) => { stderr += d.toString(); });
  await waitFor(() => /MCP over HTTP at (\S+)\/mcp/.test(stderr), 'the server to start');
  base = stderr.match(/MCP over HTTP at (\S+)\/mcp/)[1];
  // The MCP client's own loopback redirect target.
  client = createServer((req, res) => { res.end('<html><body><h1 id="done">Back in the app</h1></body></html>'); });
  await new Promise((r) => client.listen(0, '127.0.0.1', r));
  clientUrl = `http://127.0.0.1:${client.address().port}/callback`;
  browser = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  client?.close();
  server?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

function authorizeUrl(clientId, verifier) {
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: clientUrl, state: 'st-1',
    code_challenge: challenge, code_challenge_method: 'S256', resource: `${base}/mcp` });
  return `${base}/authorize?${q}`;
}

test('a person signs an MCP client in with Salesforce, allows it once, and revokes it at /connect', async () => {
  const reg = await fetch(`${base}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'Browser Test Client', redirect_uris: ['http://127.0.0.1/callback'] }) });
  assert.equal(reg.status, 201);
  const { client_id: clientId } = await reg.json();
  const verifier = randomBytes(32).toString('base64url');

  const page = await browser.newPage();
  await page.goto(authorizeUrl(clientId, verifier));
  await page.waitForSelector('#allow');
  const text = await page.textContent('body');
  assert.match(text, /Browser Test Client/);
  assert.match(text, /not verified/);
  assert.match(text, /a program on this computer/);
  assert.match(text, /prepare changes that you must approve/);
  await page.screenshot({ path: join(here, 'consent.png') });
  await page.click('#allow');
  await page.waitForSelector('#done');
  const back = new URL(page.url());
  assert.equal(back.searchParams.get('state'), 'st-1');
  assert.equal(back.searchParams.get('iss'), base);
  const tokens = await fetch(`${base}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code',
    client_id: clientId, redirect_uri: clientUrl, code: back.searchParams.get('code'), code_verifier: verifier }) });
  assert.equal(tokens.status, 200);
  const { access_token: access } = await tokens.json();

  // Signed in already, with the consent remembered: straight back to the app.
  await page.goto(authorizeUrl(clientId, verifier));
  await page.waitForSelector('#done');
  assert.ok(new URL(page.url()).searchParams.get('code'));

  await page.goto(`${base}/connect`);
  assert.match(await page.textContent('#apps'), /Browser Test Client/);
  await page.screenshot({ path: join(here, 'connect-apps.png'), fullPage: true });
  await page.click('#apps button.revoke');
  await page.waitForSelector('#result');
  assert.match(await page.textContent('#result'), /can no longer act as you/);
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
  const denied = await fetch(`${base}/mcp`, { method: 'POST', body: JSON.stringify(init),
    headers: { Authorization: `Bearer ${access}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' } });
  assert.equal(denied.status, 401);
});
