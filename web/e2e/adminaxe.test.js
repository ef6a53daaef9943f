// The admin panel's pages, each once, through axe-core's WCAG 2.x A/AA
// rules: the desk's, the facilitators' and the admins' own (sites and
// their sharing, privacy, the audit log, what we hold about a member and
// the erase confirmation). Staff work in Dutch, French or English; each
// page is checked in one of them in turn, so that all three are seen.
//
// It runs once, on SQLite, for the reason the kiosk sweep gives: it checks
// pages, not storage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, signIn, msg, SHOTS } from './harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SKIP = process.env.E2E_POSTGRES_URL
  ? 'the admin pages are checked once, on SQLite: .ci/test runs web/e2e twice and the pages do not depend on the database'
  : false;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const ADMIN_LANGS = ['nl', 'fr', 'en'];

let srv, browser;
before(async () => {
  if (SKIP) return;
  srv = await startServer();
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); });

async function violations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 2 ? ` and ${v.nodes.length - 2} more` : ''}`);
  }, AXE_TAGS);
}

test('every admin page passes axe-core, in Dutch, French and English', { skip: SKIP, timeout: 5 * 60 * 1000 }, async () => {
  const ctx = await browser.newContext({ locale: 'nl-BE' });
  const page = await ctx.newPage();
  await signIn(page, srv.base, srv.logins.admin);
  // A second site and organisation, so that the site switcher, the
  // sharing table and a member's per-site table are on their pages.
  await page.goto(srv.base + '/admin/sites');
  await page.getByLabel(msg('nl', 'field.name'), { exact: true }).fill('Borgerhout');
  await page.getByLabel(msg('nl', 'admin.sites.operator_pick')).selectOption('0');
  await page.getByLabel(msg('nl', 'admin.sites.operator_name'), { exact: true }).fill('Buurtwerk vzw');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: msg('nl', 'admin.sites.add') }).click()]);
  await page.getByRole('cell', { name: 'Buurtwerk vzw' }).first().waitFor();

  await page.goto(srv.base + '/admin/members?q=Amina');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Amina' }).first().click()]);
  const member = new URL(page.url()).pathname;
  // The demo's weekly language course, and its first (past) session with its roll call.
  await page.goto(srv.base + '/admin/courses');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Nederlands oefenen' }).click()]);
  const course = new URL(page.url()).pathname;
  const session = await page.locator('a[href^="/admin/sessions/"]').first().getAttribute('href');
  // The demo's tandem (issue 12): its page, its editor and the mentor's meeting form.
  await page.goto(srv.base + '/admin/tandems');
  const tandem = await page.getByRole('link', { name: 'Samir' }).first().getAttribute('href');

  const pages = ['/admin', '/admin/members', member, member + '/edit', member + '/data', member + '/erase', '/admin/members/new',
    '/admin/lab', '/admin/lab/week', '/admin/lab/settings', '/admin/devices', '/admin/lend', '/admin/return', '/admin/overdue',
    '/admin/reports/loans', '/admin/figures', '/admin/figures?range=year&scope=network', '/admin/figures/funder', '/admin/figures/funder?range=year', '/admin/courses', '/admin/courses/new', '/admin/thresholds', '/admin/thresholds/new', '/admin/themes',
    '/admin/organisations', '/admin/words', '/admin/voice', '/admin/settings', '/admin/sites', '/admin/stations', '/admin/users',
    '/admin/privacy', '/admin/audit', '/admin/audit?member=' + member.split('/').pop(), '/admin/account',
    course, session, '/admin/attendance', '/admin/attendance?period=quarter', '/admin/help', '/admin/help/themes',
    '/admin/tandems', '/admin/tandems/new', tandem, tandem + '/edit', tandem + '/meeting'];
  const problems = [];
  for (const [i, path] of pages.entries()) {
    const lang = ADMIN_LANGS[i % ADMIN_LANGS.length];
    await page.goto(srv.base + path);
    if (await page.locator('html').getAttribute('lang') !== lang) {
      await page.evaluate(async (l) => {
        const f = document.querySelector('form[action="/admin/lang"]');
        const body = new URLSearchParams({ _csrf: f.querySelector('[name=_csrf]').value, lang: l, back: location.pathname + location.search });
        await fetch('/admin/lang', { method: 'POST', body });
      }, lang);
      await page.goto(srv.base + path);
    }
    const status = await page.evaluate(() => document.title);
    for (const v of await violations(page)) problems.push(`${path} [${lang}] ${v}`);
    assert.ok(status.length > 0, `${path} has a title`);
  }
  if (problems.length) await page.screenshot({ path: join(SHOTS, 'admin-axe.png'), fullPage: true }).catch(() => {});
  assert.deepEqual(problems, [], 'axe-core violations on admin pages');
  await ctx.close();
});
