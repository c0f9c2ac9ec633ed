// Opens the API reference (/docs/, docs/ui/index.html) in headless Chromium: the page lists every
// API, Redoc renders each one's OpenAPI document into named operations, and no request leaves the
// local gateway (no CDN, no fonts, no telemetry). Run by scripts/browser-test.sh, which starts a
// fresh local stack, installs docs/ui's packages and sets BASE; by hand:
//   BASE=http://127.0.0.1:3000 node tests/browser/docs.test.mjs   (with `make dev` running)
// Env: BASE (default http://127.0.0.1:3000), CHROMIUM (default /usr/bin/chromium),
// SCREENSHOT_DIR (default target/browser-test), TIMEOUT_MS (each wait; default 20000).
// Exits non-zero on failure, with a screenshot.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.BASE || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR || fileURLToPath(new URL('../../target/browser-test/', import.meta.url));
const TIMEOUT = Number(process.env.TIMEOUT_MS || 20000);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';

// Each API with one operation's summary, as written in docs/openapi/<name>.yaml.
const APIS = [
  { name: 'chatx', operation: "Like a post, or cancel the caller's like (seed 000)" },
  { name: 'info', operation: 'Register (names unique, case-insensitively)' },
  { name: 'nobase', operation: 'Like (like=1) or cancel a like (like=2), parameters in the query string (seed 002)' },
  { name: 'weifchat', operation: 'Register with a phone number (#1)' },
];

let current = 'start';
function step(text) {
  current = text;
  console.log(`- ${text}`);
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  // Anything not from the gateway is refused and reported: the page must work offline.
  await context.route(
    (url) => url.origin !== new URL(BASE).origin,
    (route) => {
      problems.push(`request to another origin: ${route.request().url()}`);
      return route.abort();
    },
  );
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The page's Content-Security-Policy refuses other origins before any request; each refusal is
  // a problem but Redocly's logo, which Redoc always shows from its CDN (and hides on error).
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (m.text().includes(LOGO) && m.text().includes('Content Security Policy')) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} for ${r.url()}`));
  try {
    step('/docs/ lists every API');
    await page.goto(`${BASE}/docs/`);
    for (const { name } of APIS) {
      await page.locator(`#apis [data-api="${name}"]`).waitFor({ state: 'visible', timeout: TIMEOUT });
    }

    for (const { name, operation } of APIS) {
      step(`${name}: Redoc renders /docs/openapi/${name}.yaml, with "${operation}"`);
      await page.click(`#apis [data-api="${name}"]`);
      await page.waitForURL(`${BASE}/docs/?api=${name}`, { timeout: TIMEOUT });
      // Redoc's menu (role="menuitem") and the operation's heading both carry the summary.
      await page
        .locator('#redoc h2', { hasText: operation })
        .first()
        .waitFor({ state: 'visible', timeout: TIMEOUT });
      if (!(await page.locator('#missing').isHidden())) throw new Error('the page says the UI is not installed');
    }

    step('nothing was loaded from elsewhere, nothing failed');
    if (problems.length) throw new Error(problems.join('; '));
    await page.screenshot({ path: join(SHOTS, 'docs.png') });
    console.log(`ok: the API reference renders ${APIS.length} APIs in ${CHROMIUM} (screenshot in ${SHOTS})`);
  } catch (e) {
    console.error(`FAILED at "${current}": ${e.message}`);
    for (const line of problems) console.error(`  ${line}`);
    await page
      .screenshot({ path: join(SHOTS, 'docs-failure.png'), fullPage: true })
      .catch((err) => console.error(`no screenshot: ${err.message}`));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

await main();
