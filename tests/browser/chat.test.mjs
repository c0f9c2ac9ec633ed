// Drives the weifChat browser demo (examples/chat/) as two users in headless Chromium, through
// the local gateway's REST routes and chat socket. Run by scripts/browser-test.sh, which starts
// a fresh local stack and sets BASE; by hand:
//   BASE=http://127.0.0.1:3000 node tests/browser/chat.test.mjs   (with `make dev` running)
// Env: BASE (default http://127.0.0.1:3000), CHROMIUM (default /usr/bin/chromium),
// SCREENSHOT_DIR (default target/browser-test), TIMEOUT_MS (each wait; default 20000).
// Exits non-zero on failure, with screenshots of both windows.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.BASE || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR || fileURLToPath(new URL('../../target/browser-test/', import.meta.url));
const TIMEOUT = Number(process.env.TIMEOUT_MS || 20000);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const run = Math.random().toString(36).slice(2, 8);
const phone = () => `13${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
const alice = { name: 'A', nick: `alice-${run}`, phone: phone(), password: `pw-${run}-alice` };
const bob = { name: 'B', nick: `bob-${run}`, phone: phone(), password: `pw-${run}-bob` };

let current = 'start';
function step(text) {
  current = text;
  console.log(`- ${text}`);
}

// Waits until `selector` (optionally containing `text`) is visible in `page`.
async function see(page, selector, text) {
  const locator = page.locator(selector, text == null ? {} : { hasText: text });
  await locator.first().waitFor({ state: 'visible', timeout: TIMEOUT });
  return locator.first();
}

async function text(page, selector) {
  return (await see(page, selector)).textContent();
}

async function registerThenLogin(page, user) {
  await page.goto(`${BASE}/examples/chat/`);
  await page.fill('#phone', user.phone);
  await page.fill('#password', user.password);
  await page.fill('#nick', user.nick);
  await page.click('#register');
  await see(page, '#my-nick', user.nick);
  user.id = (await text(page, '#my-id')).trim();
  if (!user.id) throw new Error(`${user.name} has no ID after registering`);
  await see(page, '#ws-status[data-state="online"]');
  // Log out (the page reloads) and log in again with the phone and password.
  await page.click('#logout');
  await see(page, '#auth');
  await page.fill('#phone', user.phone);
  await page.fill('#password', user.password);
  await page.click('#login');
  await see(page, '#my-id', user.id);
  await see(page, '#ws-status[data-state="online"]');
}

async function say(page, message) {
  await page.fill('#message-input', message);
  await page.click('#send');
}

const message = (page, body) => see(page, '#messages li[data-testid="message"]', body);

// Waits until `text` is among the group's newest messages, read as `user` through the REST API
// (with the page's own session).
async function storedInGroup(page, user, groupId, text) {
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('weifchat-demo')).token);
  const url = `${BASE}/message/group?${new URLSearchParams({ userId: user.id, groupId })}`;
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const env = await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json();
    if (env.data?.messageList?.some((m) => m.message === text)) return;
    if (Date.now() > deadline) throw new Error(`"${text}" not stored: ${JSON.stringify(env)}`);
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not an assertion
  }
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const pages = {};
  const logs = [];
  try {
    for (const user of [alice, bob]) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      const page = await context.newPage();
      const log = (line) => logs.includes(line) || logs.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
      page.on('console', (m) => m.type() === 'error' && log(`${user.name} console: ${m.text()}`));
      page.on('pageerror', (e) => log(`${user.name} page error: ${e.message}`));
      pages[user.name] = page;
    }
    const [a, b] = [pages.A, pages.B];

    // B's socket goes through the test, so the test can cut it (the reconnect step below).
    const net = { bOffline: false, bSockets: [] };
    await b.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      if (net.bOffline) return ws.close({ code: 4000, reason: 'test: offline' });
      net.bSockets.push(ws.connectToServer());
    });

    step('A and B register, log out and log in');
    await Promise.all([registerThenLogin(a, alice), registerThenLogin(b, bob)]);

    step("A asks B to be friends by B's ID");
    await a.fill('#friend-id', bob.id);
    await a.click('#add-friend');
    await see(a, '#info', '申请中');

    step('B sees the request appear (apply_notice push) and agrees');
    const request = await see(b, `[data-testid="friend-request"][data-id="${alice.id}"]`);
    await see(b, '#notice-count', '1');
    await request.locator('[data-testid="agree-friend"]').click();
    await see(b, `#friends li[data-id="${alice.id}"]`, alice.nick);

    step('A sees B among friends (agree_apply push)');
    await see(a, `#friends li[data-id="${bob.id}"]`, bob.nick);

    step('A writes before B opens the chat: B gets an unread badge');
    const first = `hello bob ${run}`;
    await a.click(`#friends li[data-id="${bob.id}"] button.open`);
    await see(a, '#chat-title', bob.nick);
    await say(a, first);
    await message(a, first);
    await see(b, `#friends li[data-id="${alice.id}"] [data-testid="unread"]`, /^1$/);

    step('B opens the chat: the history shows the message, the badge goes');
    await b.click(`#friends li[data-id="${alice.id}"] button.open`);
    await message(b, first);
    await b.locator(`#friends li[data-id="${alice.id}"] [data-testid="unread"]`).waitFor({ state: 'hidden', timeout: TIMEOUT });

    step('live private messages both ways (private_chat frames)');
    const second = `are you there? ${run}`;
    await say(a, second);
    await message(b, second);
    const reply = `yes, alice ${run}`;
    await say(b, reply);
    await message(a, reply);

    step('A creates a group');
    const groupName = `g-${run}`;
    await a.fill('#group-name', groupName);
    await a.click('#create-group');
    const group = await see(a, '#groups li', groupName);
    const groupId = await group.getAttribute('data-id');

    step('B finds the group by name and asks to join');
    await b.fill('#search-keyword', groupName);
    await b.click('#search');
    await (await see(b, `[data-testid="search-group"][data-id="${groupId}"]`)).locator('[data-testid="join-group"]').click();
    await see(b, '#info', '已发送');

    step('A sees the join request (apply_notice push) and agrees; B sees the group (agree_apply push)');
    const join = await see(a, `[data-testid="group-request"][data-id="${bob.id}"][data-group="${groupId}"]`);
    await join.locator('[data-testid="agree-group"]').click();
    await see(b, `#groups li[data-id="${groupId}"]`, groupName);

    step('both open the group chat; messages go both ways (group_chat frames)');
    await a.click(`#groups li[data-id="${groupId}"] button.open`);
    await b.click(`#groups li[data-id="${groupId}"] button.open`);
    await see(a, '#chat-title', groupName);
    await see(b, '#chat-title', groupName);
    const hi = `hi group ${run}`;
    await say(a, hi);
    await message(b, hi);
    const hiBack = `hi from bob ${run}`;
    await say(b, hiBack);
    await message(a, hiBack);

    step("B's socket drops; A writes meanwhile; B reconnects and catches up (/message/sync)");
    net.bOffline = true;
    for (const server of net.bSockets.splice(0)) await server.close().catch(() => {});
    await see(b, '#ws-status[data-state="reconnecting"]');
    const missed = `while you were away ${run}`;
    await say(a, missed);
    await message(a, missed);
    // B comes back only once the message is stored (so no push can reach B's new socket), and
    // must then fetch it from the sync route.
    await storedInGroup(a, alice, groupId, missed);
    const synced = b.waitForResponse((r) => r.url().includes('/message/sync/group') && r.ok(), { timeout: TIMEOUT });
    net.bOffline = false;
    await see(b, '#ws-status[data-state="online"]');
    await synced;
    await message(b, missed);
    const after = `back again ${run}`;
    await say(b, after);
    await message(a, after);

    step('no errors shown, no message failed');
    for (const [name, page] of Object.entries(pages)) {
      if (await page.locator('#error').isVisible()) {
        throw new Error(`${name} shows an error: ${await page.locator('#error').textContent()}`);
      }
      const failed = await page.locator('#messages li[data-state="failed"]').count();
      if (failed) throw new Error(`${name} has ${failed} failed messages`);
    }
    await screenshots(pages, '');
    console.log(`ok: the chat demo works for two users in ${CHROMIUM} (screenshots in ${SHOTS})`);
  } catch (e) {
    console.error(`FAILED at "${current}": ${e.message}`);
    for (const line of logs) console.error(`  ${line}`);
    await screenshots(pages, '-failure').catch((err) => console.error(`no screenshots: ${err.message}`));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

async function screenshots(pages, suffix) {
  for (const [name, page] of Object.entries(pages)) {
    const file = join(SHOTS, `user-${name}${suffix}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`  screenshot ${file}`);
  }
}

await main();
