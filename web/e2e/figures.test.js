// The figures as a coordinator sees them: the year's page with its three
// charts (each an image named by its caption, drawn by the server, no
// script), on a desktop and on a phone; the funder's layout it links to;
// and the PDF a funder gets, in French, rendered as a printer would.
//
// It runs once, on SQLite: the pages do not depend on the database (the
// figures' counts are checked on both in admin's Go tests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, signIn, msg, SHOTS } from './harness.js';

const SKIP = process.env.E2E_POSTGRES_URL ? 'checked once, on SQLite: the pages do not depend on the database' : false;

let srv, browser;
before(async () => {
  if (SKIP) return;
  srv = await startServer();
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); });

// overflow is how far the page is wider than its window: a phone must
// not scroll sideways (a table may, inside its own scrolling region).
async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('the figures page draws its charts, links the funder layout, and prints in French', { skip: SKIP, timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await signIn(page, srv.base, srv.logins.coordinator);
  await page.goto(srv.base + '/admin/figures?range=year');
  for (const key of ['admin.figures.chart.months', 'admin.figures.chart.attendance', 'admin.figures.chart.satisfaction']) {
    const figure = page.getByRole('figure', { name: msg('nl', key) });
    await figure.waitFor();
    // A chart with data is one SVG image with the caption as its name;
    // a period with nothing to draw says so instead.
    const img = figure.getByRole('img', { name: msg('nl', key), exact: true });
    const empty = figure.getByText(msg('nl', 'admin.figures.chart.empty'));
    assert.ok(await img.count() + await empty.count() === 1, `${key}: one image or the empty note`);
  }
  assert.equal(await page.locator('svg.chartsvg[role=img]').count() > 0, true, 'at least one chart is drawn for the demo year');
  const boxes = await page.locator('svg.chartsvg').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  for (const w of boxes) assert.ok(w > 250 && w <= 470, `a chart is ${w}px wide on a desktop`);
  await page.screenshot({ path: join(SHOTS, 'figures-1280.png'), fullPage: true });
  await page.locator('#f-charts').screenshot({ path: join(SHOTS, 'figures-charts-1280.png') });

  await page.setViewportSize({ width: 400, height: 800 });
  await page.reload();
  assert.ok(await overflow(page) <= 1, 'the figures page scrolls sideways on a phone');
  const narrow = await page.locator('svg.chartsvg').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  for (const w of narrow) assert.ok(w > 250 && w <= 400, `a chart is ${w}px wide on a phone`);
  await page.screenshot({ path: join(SHOTS, 'figures-400.png'), fullPage: true });
  await page.locator('#f-charts').screenshot({ path: join(SHOTS, 'figures-charts-400.png') });

  await page.setViewportSize({ width: 1280, height: 900 });
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: msg('nl', 'admin.figures.funder') }).click()]);
  assert.match(page.url(), /\/admin\/figures\/funder\?range=year/);
  await page.getByRole('heading', { level: 1, name: msg('nl', 'admin.funder.title') }).waitFor();
  await page.getByRole('rowheader', { name: msg('nl', 'admin.funder.participants') }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'funder-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 400, height: 800 });
  await page.reload();
  assert.ok(await overflow(page) <= 1, 'the funder page scrolls sideways on a phone');
  await page.screenshot({ path: join(SHOTS, 'funder-400.png'), fullPage: true });

  // The French PDF, from its link, rendered to pictures.
  const href = await page.getByRole('link', { name: msg('nl', 'admin.figures.pdf').replace('{{.Lang}}', 'Français') }).getAttribute('href');
  const res = await page.request.get(srv.base + href);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  const dir = mkdtempSync(join(tmpdir(), 'drempel-figures-'));
  writeFileSync(join(dir, 'funder.pdf'), await res.body());
  const text = execFileSync('pdftotext', [join(dir, 'funder.pdf'), '-']).toString();
  assert.ok(text.includes(msg('fr', 'admin.funder.title')), 'the PDF has its French title');
  execFileSync('pdftoppm', ['-r', '50', '-png', join(dir, 'funder.pdf'), join(SHOTS, 'funder-pdf')]);
  assert.ok(readdirSync(SHOTS).some((f) => f.startsWith('funder-pdf')), 'the PDF renders');
  const fig = await page.request.get(srv.base + '/admin/figures.pdf?range=year&lang=nl');
  writeFileSync(join(dir, 'figures.pdf'), await fig.body());
  execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '2', join(dir, 'figures.pdf'), join(SHOTS, 'figures-pdf')]);
  await ctx.close();
});
