// The admin console in headless Debian Chromium: each page and form, inline problems, step-up
// (with the API token, and with Salesforce) prompting and completing, a form replayed from an
// old sign-in refused, and 404 for a person who is not an admin. Screenshots of each page are
// written beside this file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.SALESFORCE_MCP_BIN ?? resolve(here, '../../target/debug/salesforce-mcp');
const work = mkdtempSync(join(tmpdir(), 'sfmcp-admin-'));
const db = join(work, 'web.db');
let server;
let browser;
let people;
let base;
let stderr = '';
const dialogs = [];

async function waitFor(check, what, ms = 20000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The command line on the server's database, as an admin would run it.
function cli(...args) {
  return execFileSync(binary, ['--db', db, ...args], {
    env: { ...process.env, SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK: '1' }, encoding: 'utf8',
  });
}

// Makes every session's last sign-in older than the step-up window (5 minutes).
function ageSessions() {
  execFileSync('sqlite3', [db, "UPDATE web_sessions SET authenticated_at = '2000-01-01T00:00:00.000Z'"]);
}

async function signIn(page, person) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=token]', person.token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/connect`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(here, name), fullPage: true });
}

before(async () => {
  const tokensFile = join(work, 'people.json');
  server = spawn(binary, ['demo', '--http', '127.0.0.1:0', '--db', db,
    '--test-people', '2', '--test-tokens-file', tokensFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr.on('data', (d) => { stderr += d.toString(); });
  await waitFor(() => existsSync(tokensFile), 'the server to write its people');
  people = JSON.parse(readFileSync(tokensFile, 'utf8'));
  base = people.public_url;
  cli('admin', 'user', 'set', people.people[0].email, '--admin', 'on');
  browser = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    viewport: { width: 1100, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Destructive buttons ask first; the admin says yes (the question is checked where it matters).
  browser.on('page', (page) => page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.accept(); }));
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

test('a person who is not an admin gets 404 on every console page, GET and POST', async () => {
  const bob = people.people[1];
  const page = await browser.newPage();
  await signIn(page, bob);
  const csrf = await page.getAttribute('input[name=csrf]', 'value');
  for (const path of ['/admin', '/admin/app', '/admin/groups', '/admin/people', '/admin/tokens', '/admin/policies', '/admin/audit']) {
    const response = await page.goto(`${base}${path}`);
    assert.equal(response.status(), 404, path);
  }
  await shot(page, 'admin-404.png');
  for (const path of ['/admin/app', '/admin/groups', '/admin/tokens']) {
    const response = await page.request.post(`${base}${path}`, { form: { csrf, name: 'intruders', priority: '1' } });
    assert.equal(response.status(), 404, `POST ${path}`);
  }
  assert.doesNotMatch(cli('admin', 'group', 'list'), /intruders/);
  await page.close();
});

test('each console page and form saves through the same functions as the command line', async () => {
  const [alice, bob] = people.people;
  const page = await browser.newPage();
  await signIn(page, alice);

  // Salesforce app: the callback URL to copy, and the form.
  await page.goto(`${base}/admin`);
  await page.waitForURL(`${base}/admin/app`);
  assert.match(await page.textContent('#callback-url'), /\/api\/integrations\/callback\/salesforce$/);
  assert.equal(await page.getAttribute('nav.console a.current', 'href'), '/admin/app');
  await shot(page, 'admin-app.png');
  // An invalid value: shown next to its field, with what was entered.
  await page.fill('#f-scopes', '   ');
  await page.click('#save-app');
  assert.match(await page.textContent('#problem-scopes'), /Scopes must not be empty/);
  await shot(page, 'admin-app-invalid.png');
  await page.fill('#f-scopes', 'api refresh_token offline_access');
  await page.selectOption('#f-prompt', 'consent');
  await page.click('#save-app');
  await page.waitForURL(`${base}/admin/app?notice=saved`);
  assert.equal((await page.textContent('#notice')).trim(), 'Saved.');
  assert.equal(JSON.parse(cli('admin', 'org', 'show', '--json')).prompt, 'consent');

  // Groups: add, priority, member.
  await page.click('nav.console >> text=Groups');
  await page.fill('#f-name', 'sales');
  await page.fill('#f-priority', '10');
  await page.click('#add-group-submit');
  await page.waitForURL(`${base}/admin/groups/sales?notice=saved`);
  await page.fill('#add-member #f-email', bob.email);
  await page.click('#add-member-submit');
  await page.waitForURL(`${base}/admin/groups/sales?notice=saved`);
  assert.match(await page.textContent('#members'), new RegExp(bob.email));
  await page.fill('#priority-form #f-priority', '7');
  await page.click('#save-priority');
  await page.waitForURL(`${base}/admin/groups/sales?notice=saved`);
  await shot(page, 'admin-group.png');
  // A name that is taken: the problem next to the name, with what was entered.
  await page.goto(`${base}/admin/groups`);
  await page.fill('#f-name', 'sales');
  await page.click('#add-group-submit');
  assert.match(await page.textContent('#problem-name'), /already exists/);
  assert.equal(await page.inputValue('#f-name'), 'sales');
  await shot(page, 'admin-groups.png');
  const group = JSON.parse(cli('admin', 'group', 'show', 'sales', '--json'));
  assert.equal(group.priority, 7);
  assert.deepEqual(group.members, [bob.email]);

  // People: the list, a person's page, leaving a group.
  await page.click('nav.console >> text=People');
  await shot(page, 'admin-people.png');
  await page.click(`#people >> text=${bob.email}`);
  await page.waitForURL(/\/admin\/people\//);
  await shot(page, 'admin-person.png');
  await page.click('#leave-sales');
  await page.waitForSelector('#notice');
  assert.equal(dialogs.at(-1), 'Leave group: are you sure?');
  assert.deepEqual(JSON.parse(cli('admin', 'user', 'show', bob.email, '--json')).groups, []);

  // API tokens: created and shown once, then revoked.
  await page.click('nav.console >> text=API tokens');
  await page.selectOption('#f-email', bob.email);
  await page.click('#create-token-submit');
  const token = (await page.textContent('#new-token')).trim();
  assert.match(token, /^smcp_/);
  await shot(page, 'admin-token-created.png');
  await page.goto(`${base}/admin/tokens`);
  assert.ok(!(await page.content()).includes(token), 'the token is never shown again');
  const id = JSON.parse(cli('admin', 'token', 'list', '--json')).filter((t) => t.user === bob.email).at(-1).id;
  await page.click(`#revoke-${id}`);
  await page.waitForURL(`${base}/admin/tokens?notice=revoked`);
  await shot(page, 'admin-tokens.png');
  assert.ok(JSON.parse(cli('admin', 'token', 'list', '--json')).find((t) => t.id === id).revoked_at);

  // Audit log: the console's changes with the admin as actor, filtered by action.
  await page.click('nav.console >> text=Audit log');
  const audit = await page.textContent('#audit');
  assert.match(audit, new RegExp(`admin:${alice.email}`));
  assert.ok(!audit.includes(token));
  await page.fill('#f-action', 'token');
  await page.click('#filter');
  await page.waitForURL(/action=token/);
  const rows = await page.locator('#audit tr').count();
  assert.equal(rows, 3, 'a header and token.create, token.revoke');
  await shot(page, 'admin-audit.png');
  const cliAudit = JSON.parse(cli('admin', 'audit', '--action', 'token', '--json'));
  assert.deepEqual(cliAudit.map((r) => [r.actor, r.action]),
    [[`admin:${alice.email}`, 'token.revoke'], [`admin:${alice.email}`, 'token.create']]);
  await page.close();
});

test('saving a secret asks for the API token again, then saves once', async () => {
  const [alice] = people.people;
  const page = await browser.newPage();
  await signIn(page, alice);
  ageSessions();
  await page.goto(`${base}/admin/app`);
  await page.check('#f-secret_action-set');
  await page.fill('#f-secret', 'Br0wserSecretValue');
  await page.click('#save-app');
  await page.waitForSelector('#step-up-form');
  assert.match(await page.textContent('#step-up-what'), /save the organization's Salesforce app/);
  assert.ok(!(await page.content()).includes('Br0wserSecretValue'), 'the secret is never put in a page');
  await shot(page, 'admin-step-up.png');
  assert.equal(JSON.parse(cli('admin', 'org', 'show', '--json')).client_secret, 'none', 'nothing saved yet');
  await page.fill('#f-token', 'smcp_not_mine');
  await page.click('#step-up-confirm');
  assert.match(await page.textContent('#problem-token'), /not your API token/);
  await page.fill('#f-token', alice.token);
  await page.click('#step-up-confirm');
  await page.waitForURL(`${base}/admin/app?notice=saved`);
  assert.equal(JSON.parse(cli('admin', 'org', 'show', '--json')).client_secret, 'set');
  // Signed in again just now: removing it needs no second proof.
  await page.check('#f-secret_action-remove');
  await page.click('#save-app');
  await page.waitForURL(`${base}/admin/app?notice=saved`);
  assert.equal(JSON.parse(cli('admin', 'org', 'show', '--json')).client_secret, 'none');
  await page.close();
});

test('granting admin after a Salesforce sign-in asks for Salesforce again, then completes', async () => {
  const [alice, bob] = people.people;
  const page = await browser.newPage();
  await signIn(page, alice);
  await page.click('#connect');
  await page.waitForURL(/\/api\/integrations\/callback\/salesforce/);
  await page.goto(`${base}/login/salesforce?next=/admin/people`);
  await page.waitForURL(`${base}/admin/people`);
  ageSessions();
  await page.click(`#people >> text=${bob.email}`);
  await page.click('#admin-on');
  await page.waitForSelector('#step-up-salesforce');
  assert.match(await page.textContent('#step-up-what'), new RegExp(`make ${bob.email} an admin`));
  await shot(page, 'admin-step-up-salesforce.png');
  assert.equal(JSON.parse(cli('admin', 'user', 'show', bob.email, '--json')).admin, false);
  await page.click('#step-up-salesforce');
  await page.waitForURL(/\/admin\/step-up\?pending=/);
  await page.click('#step-up-confirm');
  await page.waitForURL(/\/admin\/people\/.*notice=saved/);
  assert.match(await page.textContent('body'), /This person is an admin/);
  assert.equal(JSON.parse(cli('admin', 'user', 'show', bob.email, '--json')).admin, true);
  await page.close();
});

test('a form from an earlier sign-in is refused and nothing is saved', async () => {
  const [alice] = people.people;
  const page = await browser.newPage();
  await signIn(page, alice);
  await page.goto(`${base}/admin/groups`);
  await page.fill('#f-name', 'replayed');
  // Meanwhile, in another tab: signed out and in again (a new session and CSRF token).
  const other = await browser.newPage();
  await other.goto(`${base}/connect`);
  await other.click('text=Sign out');
  await signIn(other, alice);
  await other.close();
  const [response] = await Promise.all([page.waitForNavigation(), page.click('#add-group-submit')]);
  assert.equal(response.status(), 403);
  assert.match(await page.textContent('body'), /Nothing was saved/);
  await shot(page, 'admin-csrf-refused.png');
  assert.doesNotMatch(cli('admin', 'group', 'list'), /replayed/);
  await page.close();
});

// The simulated org of the demo (its control endpoints switch Salesforce's behaviour).
function orgUrl() {
  return stderr.match(/simulated Salesforce org at (http:\/\/127\.0\.0\.1:\d+)/)[1];
}

async function sim(path) {
  const response = await fetch(`${orgUrl()}${path}`, { method: 'POST' });
  assert.equal(response.status, 200, path);
}

// One tool call over MCP (the 2025-11-25 session protocol) as `token`'s person; the reply text.
async function mcpCall(token, name, args) {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json, text/event-stream',
    'Content-Type': 'application/json' };
  const post = (body, session) => fetch(`${base}/mcp`, { method: 'POST',
    headers: session ? { ...headers, 'Mcp-Session-Id': session } : headers, body: JSON.stringify(body) });
  const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
    protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'browser-test', version: '1' } } });
  assert.equal(init.status, 200, await init.clone().text());
  const session = init.headers.get('mcp-session-id');
  await init.text();
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();
  const call = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } }, session);
  return call.text();
}

async function simRequests() {
  return (await fetch(`${orgUrl()}/_sim/requests`)).json();
}

test('test connection shows what Salesforce granted, and an unknown consumer key with its fix', async () => {
  const [alice] = people.people;
  const page = await browser.newPage();
  await signIn(page, alice);
  await page.goto(`${base}/admin/app`);
  await page.click('button.test-connection');
  await page.waitForSelector('#test-result');
  assert.match(await page.textContent('#test-result'), /Signed in to Salesforce through the organization app as /);
  const report = await page.textContent('dl');
  assert.match(report, /Refresh tokenissued/);
  assert.match(report, /Tokensrevoked at once; nothing was stored/);
  assert.match(report, /Queryable objects\d+/);
  await shot(page, 'admin-test-connection.png');
  assert.ok((await simRequests()).some((r) => r.path.endsWith('/oauth2/revoke')), 'the tokens were revoked');

  // A group whose override app has a consumer key Salesforce does not know: explained, with the
  // fix, before the browser would have been stuck on Salesforce's error page.
  cli('admin', 'group', 'add', 'pilots');
  cli('admin', 'group', 'set', 'pilots', '--client-id', '3MVGnotAKnownKey', '--auth-base-url', orgUrl());
  await page.goto(`${base}/admin/groups/pilots`);
  await page.click('button.test-connection');
  await page.waitForSelector('#test-result');
  const problem = await page.textContent('#test-result');
  assert.match(problem, /invalid_client_id/);
  assert.match(problem, /Fix: check the client id/);
  await shot(page, 'admin-test-connection-failed.png');
  const audit = JSON.parse(cli('admin', 'audit', '--action', 'app.test', '--json'));
  assert.deepEqual(audit.map((r) => r.subject), ['group pilots', 'org']);
  cli('admin', 'group', 'remove', 'pilots');
  await page.close();
});

test('staged credentials are promoted after a step-up while a connection keeps refreshing', async () => {
  const [alice] = people.people;
  const page = await browser.newPage();
  await signIn(page, alice);
  const before = JSON.parse(cli('admin', 'org', 'show', '--json'));
  await page.goto(`${base}/connect`);
  if (await page.isVisible('#connect')) {
    await page.click('#connect');
    await page.waitForURL(/\/api\/integrations\/callback\/salesforce/);
  }
  await sim('/_sim/second-key?client_id=3MVGbrowserRotated&client_secret=BrowserRotatedSecret');
  ageSessions();
  await page.goto(`${base}/admin/app`);
  await page.fill('#f-staged_client_id', '3MVGbrowserRotated');
  await page.fill('#f-staged_secret', 'BrowserRotatedSecret');
  await page.click('#stage');
  await page.waitForSelector('#step-up-form');
  assert.match(await page.textContent('#step-up-what'), /stage new credentials/);
  assert.ok(!(await page.content()).includes('BrowserRotatedSecret'));
  await page.fill('#f-token', alice.token);
  await page.click('#step-up-confirm');
  await page.waitForURL(`${base}/admin/app?notice=saved`);
  assert.match(await page.textContent('#staged'), /3MVGbrowserRotated, secret set/);
  await shot(page, 'admin-staged.png');
  await page.click('#promote');
  await page.waitForURL(`${base}/admin/app?notice=saved`);
  const after = JSON.parse(cli('admin', 'org', 'show', '--json'));
  assert.equal(after.client_id, '3MVGbrowserRotated');
  assert.equal(after.previous_client_id, before.client_id);
  await shot(page, 'admin-promoted.png');

  // Alice's connection was made under the old key: it refreshes under the new one and stays.
  await sim('/_sim/expire-access-tokens');
  await sim('/_sim/requests/clear');
  const reply = await mcpCall(alice.token, 'query_records', { soql: 'SELECT Id FROM Account LIMIT 1' });
  assert.match(reply, /"returned":1/);
  assert.doesNotMatch(reply, /"isError":true/);
  const grants = (await simRequests()).filter((r) => r.grant_type === 'refresh_token');
  assert.equal(grants.length, 1, 'one refresh, no reconnect');
  assert.equal(JSON.parse(cli('admin', 'user', 'show', alice.email, '--json')).connection.status, 'active');
  await page.close();
});

test('the Policies page switches read-only for every client at once', async () => {
  const [alice] = people.people;
  const page = await browser.newPage();
  await signIn(page, alice);
  await page.goto(`${base}/admin/policies`);
  assert.equal(await page.getAttribute('nav.console a.current', 'href'), '/admin/policies');
  await page.fill('#f-change_ttl', 'soon');
  await page.click('#save-policies');
  assert.match(await page.textContent('#problem-change_ttl'), /not a duration/);
  assert.equal(await page.inputValue('#f-change_ttl'), 'soon');
  await page.fill('#f-change_ttl', '30m');
  await page.check('#f-read_only');
  await page.click('#save-policies');
  await page.waitForURL(`${base}/admin/policies?notice=saved`);
  await shot(page, 'admin-policies.png');
  const shown = JSON.parse(cli('admin', 'policy', 'show', '--json'));
  assert.equal(shown.read_only.value, 'on');
  assert.equal(shown.read_only.source, 'console/admin command');
  await page.uncheck('#f-read_only');
  await page.click('#save-policies');
  await page.waitForURL(`${base}/admin/policies?notice=saved`);
  assert.equal(JSON.parse(cli('admin', 'policy', 'show', '--json')).read_only.value, 'off');
  await page.close();
});
