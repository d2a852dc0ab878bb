// The approval page in headless Debian Chromium: a person prepares a change through MCP over
// HTTP, opens /changes/{id} signed in, sees the preview, approves it, and sees the result;
// another person signed in gets 404 for the same kind of page.
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
const work = mkdtempSync(join(tmpdir(), 'sfmcp-approve-'));
const ACME = '001Dx0000000001IAA';
let server;
let browser;
let people;
let stderr = '';

async function waitFor(check, what, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A minimal MCP client over Streamable HTTP (2025-06-18 session), for preparing changes.
async function mcp(token) {
  const base = `${people.public_url}/mcp`;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
  let id = 0;
  const post = async (body) => {
    const response = await fetch(base, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await response.text();
    const messages = response.headers.get('content-type')?.includes('text/event-stream')
      ? text.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter(Boolean).map((l) => JSON.parse(l))
      : text ? [JSON.parse(text)] : [];
    return { response, messages };
  };
  const init = await post({ jsonrpc: '2.0', id: ++id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'browser-test', version: '1' } } });
  headers['Mcp-Session-Id'] = init.response.headers.get('mcp-session-id');
  headers['MCP-Protocol-Version'] = '2025-06-18';
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return async (name, args) => {
    const callId = ++id;
    const { messages } = await post({ jsonrpc: '2.0', id: callId, method: 'tools/call', params: { name, arguments: args } });
    const reply = messages.find((m) => m.id === callId);
    assert.ok(reply?.result, `no result for ${name}: ${JSON.stringify(messages)}`);
    return reply.result;
  };
}

async function signIn(page, person) {
  await page.goto(`${people.public_url}/login`);
  await page.fill('input[name=token]', person.token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${people.public_url}/connect`);
}

before(async () => {
  const tokensFile = join(work, 'people.json');
  server = spawn(binary, ['demo', '--http', '127.0.0.1:0', '--db', join(work, 'web.db'),
    '--test-people', '2', '--test-tokens-file', tokensFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr.on('data', (d) => { stderr += d.toString(); });
  await waitFor(() => existsSync(tokensFile), 'the server to write its people');
  people = JSON.parse(readFileSync(tokensFile, 'utf8'));
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

test('a person approves their prepared change on the web page; another person gets 404', async () => {
  const [alice, bob] = people.people;
  const page = await browser.newPage();
  await signIn(page, alice);
  await page.click('#connect');
  await page.waitForURL(/\/api\/integrations\/callback\/salesforce/);

  const call = await mcp(alice.token);
  const note = 'Called back on 2026-11-23 <b>about renewal</b>';
  const prepared = await call('prepare_change', { operation: 'update', object: 'Account', record_id: ACME, fields: { Description: note } });
  assert.equal(prepared.isError, false, JSON.stringify(prepared));
  const id = prepared.structuredContent.change_id;
  const confirm = await call('confirm_change', { change_id: id });
  assert.match(confirm.content[0].text, new RegExp(`/changes/${id}`), 'a client without elicitation is told where to approve');
  assert.doesNotMatch(JSON.stringify(confirm), /csrf|approve\?|token=/i, 'nothing that grants approval is in the tool result');

  await page.goto(`${people.public_url}/changes/${id}`);
  assert.match(await page.textContent('#action'), /[Uu]pdate/);
  assert.match(await page.textContent('#record'), new RegExp(ACME));
  const fields = await page.textContent('#fields');
  assert.match(fields, /Description/);
  assert.ok(fields.includes(note), 'the after value is shown as text, escaped');
  // Signed in with an API token (what the MCP client holds), the page cannot approve: the person
  // signs in with Salesforce first, and comes back to the change.
  assert.equal(await page.locator('#approve').count(), 0, 'no Approve button for an API-token session');
  await page.click('#salesforce-sign-in');
  await page.waitForURL(`${people.public_url}/changes/${id}`);
  await page.screenshot({ path: join(here, 'approval.png') });
  await page.click('#approve');
  await page.waitForSelector('#change-status');
  assert.equal((await page.textContent('#change-status')).trim(), 'succeeded');

  const listed = await call('list_changes', {});
  assert.equal(listed.structuredContent.changes.find((c) => c.change_id === id).status, 'succeeded');

  // A second change by alice: bob cannot see or approve it.
  const second = await call('prepare_change', { operation: 'update', object: 'Account', record_id: ACME, fields: { Description: 'second' } });
  const secondId = second.structuredContent.change_id;
  await page.goto(`${people.public_url}/connect`);
  await page.click('form[action="/logout"] button');
  await signIn(page, bob);
  const response = await page.goto(`${people.public_url}/changes/${secondId}`);
  assert.equal(response.status(), 404);
  const status = await call('list_changes', { status: 'pending' });
  assert.ok(status.structuredContent.changes.some((c) => c.change_id === secondId), 'alice\'s change is still pending');
});

test('the approval page of a 50-record change shows every record and approves it once', async () => {
  const [alice] = people.people;
  const call = await mcp(alice.token);
  const rows = await call('query_records', { soql: 'SELECT Id FROM Contact ORDER BY Name LIMIT 50', max_rows: 50 });
  const ids = rows.structuredContent.records.map((r) => r.Id);
  assert.equal(ids.length, 50);
  const records = ids.map((recordId) => ({ record_id: recordId, fields: { Title: 'Reviewed in the browser' } }));
  const prepared = await call('prepare_change', { operation: 'update', object: 'Contact', records });
  assert.equal(prepared.isError, false, JSON.stringify(prepared));
  const id = prepared.structuredContent.change_id;

  const page = await browser.newPage();
  await page.goto(`${people.public_url}/login/salesforce?next=/changes/${id}`);
  await page.waitForURL(`${people.public_url}/changes/${id}`);
  const body = await page.textContent('body');
  assert.match(body, /on 50 records/, 'what is common is said once');
  assert.match(await page.textContent('#record'), /50 records/, 'not "new record"');
  for (const recordId of ids) assert.ok(body.includes(recordId), `record ${recordId} is on the page`);
  await page.screenshot({ path: join(here, 'approval-50.png'), fullPage: true });
  await page.click('#approve');
  await page.waitForSelector('#change-status');
  assert.equal((await page.textContent('#change-status')).trim(), 'succeeded');
  await page.goto(`${people.public_url}/changes/${id}`);
  assert.equal(await page.locator('#approve').count(), 0, 'nothing left to approve');
  const listed = await call('list_changes', {});
  assert.equal(listed.structuredContent.changes.find((c) => c.change_id === id).status, 'succeeded');
});
