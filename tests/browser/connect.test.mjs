// The browser flow in headless Debian Chromium: sign in with an API token, connect Salesforce
// against the simulated org, see the connected page, disconnect. The server is
// `salesforce-mcp demo --http 127.0.0.1:0 --test-people 1` (a person with a token, not connected).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.SALESFORCE_MCP_BIN ?? resolve(here, '../../target/debug/salesforce-mcp');
const work = mkdtempSync(join(tmpdir(), 'sfmcp-browser-'));
let server;
let browser;
let people;

async function waitFor(check, what, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  const tokensFile = join(work, 'people.json');
  server = spawn(binary, ['demo', '--http', '127.0.0.1:0', '--db', join(work, 'web.db'),
    '--test-people', '1', '--test-tokens-file', tokensFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(() => existsSync(tokensFile), 'the server to write its people');
  people = JSON.parse(readFileSync(tokensFile, 'utf8'));
  // A fresh profile directory each run (playwright takes it as launchPersistentContext's argument).
  browser = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

test('a person signs in, connects Salesforce, sees the connection and disconnects', async () => {
  const base = people.public_url;
  const page = await browser.newPage();
  await page.goto(`${base}/connect`);
  assert.match(page.url(), /\/login\?next=%2Fconnect$/, 'the connect page asks to sign in first');

  await page.fill('input[name=token]', people.people[0].token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/connect`);
  assert.match(await page.textContent('#status'), /Not connected/);

  await page.click('#connect');
  await page.waitForURL(/\/api\/integrations\/callback\/salesforce/);
  const result = await page.textContent('#result');
  assert.match(result, /^Connected as \S+@example\.com \(org 00D\w+\)/);

  await page.click('text=Back to your Salesforce connection');
  await page.waitForURL(`${base}/connect`);
  assert.match(await page.textContent('#username'), /@example\.com$/);
  assert.match(await page.textContent('#org'), /^00D/);
  await page.screenshot({ path: join(here, 'connected.png') });

  await page.click('#disconnect');
  assert.match(await page.textContent('#result'), /revoked at Salesforce and removed/);
  await page.goto(`${base}/connect`);
  assert.match(await page.textContent('#status'), /Not connected/);

  const cookies = await browser.cookies();
  const session = cookies.find((c) => c.name === 'sfmcp_session');
  assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(session.sameSite, 'Lax');
});
