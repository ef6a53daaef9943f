// The sweep: every kiosk screen, in every kiosk language, at two screen
// sizes, reached the way a visitor reaches it (tap the language, scan the
// card, tap tiles found by role and catalog name). On every screen:
// axe-core's WCAG 2.x A/AA rules, nothing scrolls, every choice has its
// speaker button, <html lang dir> is right, every target is ≥ 48 px, and
// no speaker in a tile's corner covers the tile's words.
// All problems are collected and asserted once at the end, so one run shows
// them all; test-results/sweep-failures.json holds the same list as data.
//
// It runs once, on SQLite: .ci/test runs web/e2e twice (SQLite, then
// PostgreSQL), and the sweep checks screens, not storage; a second run of
// several minutes would find nothing new.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, signIn, scanCard, smallTargets, msg, SHOTS } from './harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SKIP = process.env.E2E_POSTGRES_URL
  ? 'the sweep runs once, on SQLite: .ci/test runs web/e2e twice and the screens do not depend on the database'
  : false;

// The languages the kiosk must speak, in the brief's order; right to left:
// Arabic, Dari, Farsi.
const LANGS = ['nl', 'fr', 'en', 'ar', 'ti', 'prs', 'fa', 'uk', 'ro', 'tr', 'so'];
const RTL = new Set(['ar', 'prs', 'fa']);
// Each language's own name, as the app writes it (web/i18n.go).
const ENDONYMS = Object.fromEntries([...readFileSync(join(HERE, '..', 'i18n.go'), 'utf8')
  .matchAll(/\{Code: "([a-z]+)", Endonym: "([^"]+)"/g)].map((m) => [m[1], m[2]]));
const VIEWPORTS = [{ width: 1280, height: 800 }, { width: 1024, height: 768 }];
const vpName = (vp) => `${vp.width}x${vp.height}`;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
// Languages swept at the same time (each language's two screen sizes run
// one after the other: they share the language's demo member).
const PARALLEL = Number(process.env.SWEEP_PARALLEL || 2);
const ORG = 'OCMW / CPAS'; // an organisation as staff would type it: data, not a catalog message
// A kiosk (a client address) may send this many threshold reports a minute
// (kiosk/limits.go). The sweep's kiosks all share the loopback address, so
// it spaces its reports to stay under the limit rather than meet the
// "wait a minute" page.
const REPORTS_PER_MINUTE = Number(readFileSync(join(HERE, '..', '..', 'kiosk', 'limits.go'), 'utf8')
  .match(/ReportsPerMinute = (\d+)/)?.[1] ?? 1e9);
const reportTimes = [];
let reportWait = 0;
async function reportTurn(page) {
  const from = Date.now();
  for (;;) {
    const now = Date.now();
    while (reportTimes.length && now - reportTimes[0] > 62000) reportTimes.shift();
    if (reportTimes.length < REPORTS_PER_MINUTE) { reportTimes.push(now); reportWait += now - from; return; }
    // The visitor waits at the screen, touching a key now and then, so
    // the kiosk does not count down and reset meanwhile.
    await new Promise((r) => setTimeout(r, Math.min(10000, 62000 - (now - reportTimes[0]) + 50)));
    await page.keyboard.press('Shift');
  }
}

let srv, browser, raterLang, defaultLang;
const failures = [];
const reached = new Map(); // screen → languages reached
const heard = new Map(); // language → [speaker buttons shown, speaker buttons] over its screens (information, not a check)

before(async () => {
  if (SKIP) return;
  srv = await startServer();
  browser = await launchBrowser();
  await prepareData();
});
after(async () => { await browser?.close(); await srv?.stop(); });

function fail(kind, where, key, detail = '', extra = {}) {
  failures.push({ kind, screen: where.screen, lang: where.L, viewport: where.vp, key, detail, ...extra });
}

// Before the sweep, as staff: a laptop lent to every language's member and
// overdue since yesterday, so every greeting carries the reminder; and an
// organisation, so the report has its third step.
async function prepareData() {
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl-BE' });
  const desk = await staffCtx.newPage();
  desk.setDefaultTimeout(15000);
  try {
    await signIn(desk, srv.base, srv.logins.staff);
    const A = await desk.locator('html').getAttribute('lang'); // the admin panel's language
    const members = LANGS.filter((L) => srv.byLang[L]);
    await desk.goto(srv.base + '/admin/devices');
    await desk.getByLabel(msg(A, 'admin.devices.count')).fill(String(members.length));
    await desk.getByLabel(msg(A, 'admin.devices.make'), { exact: true }).fill('Lenovo');
    await desk.getByLabel(msg(A, 'admin.devices.model'), { exact: true }).fill('ThinkPad T480');
    await desk.getByRole('button', { name: msg(A, 'admin.devices.add') }).click();
    await desk.getByRole('status').waitFor();
    const tags = (await desk.locator('td.code a').allInnerTexts()).map((t) => t.trim());
    assert.ok(tags.length >= members.length, 'a laptop for every language: ' + tags);
    const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    const scan = async (text) => {
      const field = desk.getByLabel(msg(A, 'admin.lend.scan'));
      await field.fill('');
      await field.focus();
      await desk.keyboard.type(text, { delay: 1 });
      await Promise.all([desk.waitForNavigation(), desk.keyboard.press('Enter')]);
    };
    for (const [i, L] of members.entries()) {
      await desk.goto(srv.base + '/admin/lend');
      await scan(srv.byLang[L].token);
      await scan(tags[i]);
      await desk.getByRole('checkbox', { name: msg(A, 'admin.lend.terms_ok') }).check();
      await Promise.all([desk.waitForNavigation(), desk.getByRole('button', { name: msg(A, 'admin.lend.confirm') }).click()]);
      await desk.goto(srv.base + '/admin/devices/tag/' + tags[i]);
      await desk.getByLabel(msg(A, 'admin.loans.new_due')).fill(yesterday);
      await Promise.all([desk.waitForNavigation(), desk.getByRole('button', { name: msg(A, 'admin.loans.extend') }).click()]);
    }
    await desk.goto(srv.base + '/admin/overdue');
    const overdue = await desk.locator('main').innerText();
    for (const t of tags.slice(0, members.length)) assert.ok(overdue.includes(t), `${t} is overdue:\n${overdue}`);

    // Organisations are the facilitators' list.
    await staffCtx.clearCookies();
    await signIn(desk, srv.base, srv.logins.facilitator);
    await desk.goto(srv.base + '/admin/organisations');
    await desk.getByLabel(msg(A, 'field.name')).fill(ORG);
    await Promise.all([desk.waitForNavigation(), desk.getByRole('button', { name: msg(A, 'admin.thresholds.add_org') }).click()]);
    await desk.getByText(ORG).first().waitFor();
  } catch (e) {
    await desk.screenshot({ path: join(SHOTS, 'sweep-setup.png'), fullPage: true }).catch(() => {}); // a picture to look at, not a check
    throw e;
  } finally {
    await staffCtx.close();
  }

  // The kiosk's own default language, and the language of the demo's rater
  // (the smiley question is asked in the rater's language only).
  const ctx = await browser.newContext({ viewport: VIEWPORTS[0], hasTouch: true });
  const k = await ctx.newPage();
  await k.goto(srv.base + '/kiosk');
  defaultLang = await k.locator('html').getAttribute('lang');
  if (srv.raterCard) {
    await scanCard(k, srv.raterCard);
    if (/\/kiosk\/rate\/\d+$/.test(k.url())) raterLang = await k.locator('html').getAttribute('lang');
  }
  await ctx.close();
}

// One visitor at one screen size in one language.
function visitor(page, L, vp) {
  const run = { page, L, vp: vpName(vp), first: vp === VIEWPORTS[0], screen: 'start' };

  // A catalog message in L; when L's catalog lacks it, that is a failure,
  // and the sweep goes on with the words the screen shows instead.
  run.t = async (key) => {
    try { return msg(L, key); } catch (e) {
      if (e.code === 'ENOENT') fail('catalog', run, `no catalog web/i18n/${L}.toml`);
      else fail('catalog', run, `web/i18n/${L}.toml lacks messages the kiosk shows`, key);
      const shown = await page.locator('html').getAttribute('lang').catch(() => null);
      for (const l of [shown, defaultLang]) { try { return msg(l, key); } catch { /* next */ } }
      throw e;
    }
  };

  // A choice by role and name: the exact name first, else one containing
  // it (a pictogram may add to the name), never a speaker button.
  run.choice = async (role, name, extra) => {
    let loc = page.getByRole(role, { name, exact: true });
    if (extra) loc = loc.and(page.locator(extra));
    if (await loc.count() === 0) {
      loc = page.getByRole(role, { name }).and(page.locator(':not(.speak)'));
      if (extra) loc = loc.and(page.locator(extra));
    }
    return loc.first();
  };

  run.tap = async (loc) => {
    await Promise.all([page.waitForNavigation({ timeout: 20000 }), loc.tap()]);
  };
  // By L's words; when the screen speaks another language (a failure the
  // checks report), by the words it shows, so the sweep goes on.
  run.tapName = async (role, key, extra) => {
    let loc = await run.choice(role, await run.t(key), extra);
    const shown = await page.locator('html').getAttribute('lang');
    if (await loc.count() === 0 && shown !== L) {
      try { loc = await run.choice(role, msg(shown, key), extra); } catch { /* keep L's */ }
    }
    await run.tap(loc);
  };
  run.goto = (path) => page.goto(srv.base + path);
  run.scan = (token) => scanCard(page, token);

  // The heading the screen should show; another one is a failure (the
  // sweep goes on and checks whatever screen it is).
  // (In another language it is the right screen, and the checks report
  // the language.)
  run.expectHeading = async (key, screen) => {
    run.screen = screen;
    const want = await run.t(key);
    const h1 = (await page.locator('h1').first().innerText().catch(() => '')).trim();
    if (h1.includes(want)) return;
    const shown = await page.locator('html').getAttribute('lang');
    try { if (shown !== L && h1.includes(msg(shown, key))) return; } catch { /* not that either */ }
    fail('wrong screen', run, `expected "${key}"`, `h1 is "${h1}" at ${new URL(page.url()).pathname}`);
  };

  run.check = (screen, opts) => checkScreen(run, screen, opts);

  // A part of the journey: when it cannot go on, the failure says where,
  // and the next part starts again from the member's home screen.
  run.part = async (name, fn) => {
    try { await fn(); } catch (e) {
      fail('unreachable', run, `${name}: stopped at "${run.screen}"`, `${e.message.split('\n')[0]} (at ${new URL(page.url()).pathname})`);
      await page.screenshot({ path: join(SHOTS, `sweep-stuck-${name}-${L}-${run.vp}.png`) }).catch(() => {}); // a picture to look at, not a check
    }
  };
  return run;
}

// The checks every screen gets.
async function checkScreen(run, screen, { dialog = false } = {}) {
  const { page, L } = run;
  run.screen = screen;
  if (!reached.has(screen)) reached.set(screen, new Set());
  reached.get(screen).add(`${L} ${run.vp}`);
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready.then(() => true));

  // 1. axe-core in the page. The kiosk's CSP allows only 'self' scripts, so
  // page.addScriptTag({ content }) is refused (an inline script); the source
  // is evaluated through DevTools instead, which CSP does not govern, and the
  // page keeps its real CSP (no bypassCSP) while it is checked.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const violations = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, n: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, AXE_TAGS);
  for (const v of violations) fail('axe', run, `${v.id} (${v.impact}): ${v.help}`, `${v.targets[0]}${v.n > 1 ? ` and ${v.n - 1} more` : ''}`);

  // 2–4. Scrolling, speakers, language and direction, in one look.
  const look = await page.evaluate((withDialog) => {
    const de = document.documentElement;
    const visible = (e) => e.checkVisibility({ visibilityProperty: true }) && e.getClientRects().length > 0;
    const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      [...e.classList].map((c) => '.' + c).join('') + (e.getAttribute('href') ? `[href="${e.getAttribute('href')}"]` : '');
    let scope = 'main a, main button, header a, header button';
    if (withDialog) scope += ', [role=alertdialog]:not([hidden]) a, [role=alertdialog]:not([hidden]) button';
    const mute = [...document.querySelectorAll(scope)]
      .filter((e) => visible(e) && !e.matches('button.speak') && !e.matches('.lang'))
      .filter((e) => {
        for (let w = e.closest('.say-wrap, .tile-wrap'); w; w = w.parentElement && w.parentElement.closest('.say-wrap, .tile-wrap')) {
          if (w.querySelector('button.speak')) return false;
        }
        return true;
      })
      .map((e) => ({ el: describe(e), text: (e.innerText || e.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ') }));
    const speakers = [...document.querySelectorAll('button.speak')];
    return { sh: de.scrollHeight, sw: de.scrollWidth, ih: innerHeight, iw: innerWidth,
      lang: de.getAttribute('lang'), dir: de.getAttribute('dir'), mute, path: location.pathname,
      speakers: [speakers.filter(visible).length, speakers.length] };
  }, dialog);
  const h = heard.get(L) ?? [0, 0];
  heard.set(L, [h[0] + look.speakers[0], h[1] + look.speakers[1]]);
  if (look.sh > look.ih + 1) fail('scroll', run, `${screen} scrolls down`, `${look.sh} px high on ${look.ih}`, { px: look.sh - look.ih });
  if (look.sw > look.iw + 1) fail('scroll', run, `${screen} scrolls sideways`, `${look.sw} px wide on ${look.iw}`, { px: look.sw - look.iw });
  for (const m of look.mute) fail('no speaker', run, m.el, `"${m.text}"`);
  if (look.lang !== L) fail('lang/dir', run, `<html lang="${look.lang}">`, `expected ${L}`);
  const dir = RTL.has(L) ? 'rtl' : 'ltr';
  if (look.dir !== dir) fail('lang/dir', run, `<html dir="${look.dir}">`, `expected ${dir}`);

  // 5. Big targets.
  for (const s of await smallTargets(page)) fail('small target', run, `"${s.t}"`, `${Math.round(s.w)}×${Math.round(s.h)} px`);

  // 6. No speaker in a tile's corner covers the tile's words.
  const covered = await page.evaluate(() => {
    const out = [];
    for (const w of document.querySelectorAll('.tile-wrap')) {
      const sp = w.querySelector(':scope > button.speak');
      const tile = w.querySelector(':scope > .tile');
      if (!sp || !tile || !sp.checkVisibility({ visibilityProperty: true })) continue;
      const s = sp.getBoundingClientRect();
      const walker = document.createTreeWalker(tile, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim() || n.parentElement.closest('svg')) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const hit = [...range.getClientRects()].some((b) => b.width > 0 && b.height > 0 &&
          b.left < s.right - 1 && b.right > s.left + 1 && b.top < s.bottom - 1 && b.bottom > s.top + 1);
        if (hit) out.push({ text: n.textContent.trim(), href: tile.getAttribute('href') || '' });
      }
    }
    return out;
  });
  for (const c of covered) fail('covered words', run, `a speaker covers "${c.text}"`, c.href);

  if (run.first) await page.screenshot({ path: join(SHOTS, `${screen}-${L}.png`) }).catch(() => {}); // a picture to look at, not a check
}

// Every screen in L at one screen size.
async function sweep(L, vp) {
  const member = srv.byLang[L];
  const ctx = await browser.newContext({ viewport: vp, hasTouch: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(8000);
  const run = visitor(page, L, vp);
  page.on('pageerror', (e) => fail('page error', run, e.message.split('\n')[0]));
  try {
    await run.part('idle', async () => {
      await run.goto('/kiosk');
      for (const [code, name] of Object.entries(ENDONYMS)) {
        if (!LANGS.includes(code)) continue;
        if (await page.getByRole('button', { name, exact: true }).count() === 0) fail('language', { ...run, screen: 'idle' }, `no button "${name}" (${code}) on the idle screen`);
      }
      for (const code of LANGS.filter((c) => !ENDONYMS[c])) fail('language', { ...run, screen: 'idle' }, `${code} is not in web/i18n.go's Languages`);
      const button = page.getByRole('button', { name: ENDONYMS[L] ?? L, exact: true });
      if (await button.count() > 0) await run.tap(button);
      await run.check('idle');
    });

    await run.part('camera', async () => {
      await run.tapName('link', 'kiosk.camera.button');
      await run.check('camera');
      await run.tapName('link', 'kiosk.back');
    });

    await run.part('help', async () => {
      await run.tapName('link', 'kiosk.help');
      await run.check('help');
      await run.tapName('link', 'kiosk.back');
    });

    await run.part('refused', async () => {
      await run.scan('NOSUCHCARD42');
      await run.expectHeading('kiosk.refused.title', 'refused');
      await run.check('refused');
      await run.tapName('link', 'kiosk.ok');
    });

    let home = false;
    await run.part('greeting', async () => {
      if (!member) throw new Error(`the demo printed no member for ${L}`);
      await run.scan(member.token);
      home = true;
      const h1 = (await page.locator('h1').first().innerText()).trim();
      const greeting = (await run.t('kiosk.home.greeting')).replace(/\{\{\s*\.Name\s*\}\}/, '\u2068' + member.nickname + '\u2069');
      if (!h1.includes(greeting)) fail('greeting', { ...run, screen: 'greeting' }, 'not greeted in the member\'s language', `h1 is "${h1}", expected "${greeting}"`);
      if (!h1.includes(member.nickname)) fail('greeting', { ...run, screen: 'greeting' }, 'nickname not shown as written', `h1 is "${h1}", expected ${member.nickname}`);
      const reminder = await run.t('kiosk.loans.reminder');
      if (await page.getByText(reminder).count() === 0) fail('greeting', { ...run, screen: 'greeting' }, 'no overdue reminder', `"${reminder}" not on the screen`);
      await run.check('greeting');
    });
    if (!home) return;
    const toHome = async () => { if (new URL(page.url()).pathname !== '/kiosk/home') await run.goto('/kiosk/home'); };

    await run.part('lab', async () => {
      await toHome();
      await run.tapName('link', 'kiosk.home.book_lab');
      await run.check('lab-days');
      await run.tapName('link', 'kiosk.lab.tomorrow');
      await run.check('lab-slots');
      const slots = page.getByRole('link').and(page.locator('main a[href^="/kiosk/lab/2"]'));
      await run.tap(slots.nth(await slots.count() > 1 ? 1 : 0));
      await run.check('lab-confirm');
      await run.tapName('button', 'kiosk.yes_book');
      await run.expectHeading('kiosk.lab.booked', 'lab-booked');
      await run.check('lab-booked');
      await run.tapName('link', 'kiosk.home.bookings');
      await run.check('bookings');
      await run.tapName('link', 'kiosk.bookings.cancel', 'main a[href^="/kiosk/bookings/"]');
      await run.check('cancel-confirm');
      await run.tapName('button', 'kiosk.bookings.yes_cancel');
      await run.expectHeading('kiosk.bookings.cancelled', 'cancelled');
      await run.check('cancelled');
    });

    await run.part('courses', async () => {
      await toHome();
      await run.tapName('link', 'kiosk.home.courses');
      await run.check('courses');
      // The first course in time: the open computer workshop, with seats.
      await run.tap(page.getByRole('link').and(page.locator('main a[href^="/kiosk/courses/"]')).first());
      await run.check('course');
      await run.tapName('button', 'kiosk.courses.enrol');
      await run.expectHeading('kiosk.courses.enrolled', 'course-enrolled');
      await run.check('course-enrolled');
      // Give the seat back, so the next language finds the same screens.
      await run.tapName('link', 'kiosk.home.bookings');
      await run.tapName('link', 'kiosk.bookings.cancel', 'main a[href^="/kiosk/enrolments/"]');
      await run.check('course-cancel-confirm');
      await run.tapName('button', 'kiosk.bookings.yes_cancel');
      await run.expectHeading('kiosk.bookings.cancelled', 'course-cancelled');
    });

    await run.part('report', async () => {
      await toHome();
      await run.tapName('link', 'kiosk.report.tile');
      await run.check('report-domain');
      await run.tapName('link', 'kiosk.report.domain.bank');
      await run.check('report-problem');
      await run.tapName('link', 'kiosk.report.problem.login');
      if (/\/\d+$/.test(new URL(page.url()).pathname)) {
        fail('unreachable', { ...run, screen: 'report-organisation' }, 'no organisation step', 'the report went straight to the words');
      } else {
        await run.check('report-organisation');
        await run.tap(await run.choice('link', ORG));
      }
      await run.check('report-words');
      await reportTurn(page);
      await run.tapName('button', 'kiosk.report.skip');
      await run.check('report-help');
      await run.tapName('button', 'kiosk.report.help_no');
      await run.expectHeading('kiosk.report.thanks', 'report-thanks');
      await run.check('report-thanks');
    });

    if (L === raterLang) {
      await run.part('rate', async () => {
        await run.goto('/kiosk/reset');
        await run.scan(srv.raterCard);
        await run.expectHeading('kiosk.rate.question', 'rate');
        await run.check('rate');
        // Not answered: the other screen size finds the same question.
        await run.goto('/kiosk/reset');
        await run.scan(member.token);
      });
    }

    await run.part('error', async () => {
      const res = await run.goto('/kiosk/lab/not-a-day');
      if (res.status() < 400) throw new Error(`no error page: ${res.status()}`);
      await run.check('error');
    });

    // The idle countdown, as it comes: the page's clock is run forward
    // (Playwright's fake timers) until the question appears, instead of
    // waiting the minute.
    await run.part('idle-countdown', async () => {
      await ctx.clock.install();
      await run.goto('/kiosk/home');
      const dialog = page.getByRole('alertdialog');
      const idle = Number(await page.locator('body').getAttribute('data-idle-seconds')) || 60;
      for (let s = 0; s <= idle && !(await dialog.isVisible()); s++) await page.clock.runFor(1000);
      await dialog.waitFor({ state: 'visible', timeout: 1000 });
      await run.check('idle-countdown', { dialog: true });
    });
  } finally {
    await ctx.close();
  }
}

// A readable list: problems of one kind and one key together, with where
// they showed.
function summary() {
  const groups = new Map();
  for (const f of failures) {
    const id = f.kind + '\u0000' + f.key;
    if (!groups.has(id)) groups.set(id, { kind: f.kind, key: f.key, n: 0, screens: new Set(), langs: new Set(), vps: new Set(), details: new Set(), px: 0 });
    const g = groups.get(id);
    g.n++; g.screens.add(f.screen); g.langs.add(f.lang); g.vps.add(f.viewport);
    if (f.detail) g.details.add(f.detail);
    if (f.px > g.px) { g.px = f.px; g.worst = `${f.lang} ${f.viewport}: ${f.detail}`; }
  }
  const kinds = ['unreachable', 'wrong screen', 'page error', 'catalog', 'language', 'lang/dir', 'greeting', 'axe', 'scroll', 'no speaker', 'small target'];
  const byKind = [...groups.values()].sort((a, b) => (kinds.indexOf(a.kind) - kinds.indexOf(b.kind)) || b.n - a.n);
  const langs = (s) => s.size === LANGS.length ? 'all languages' : [...s].join(' ');
  const vps = (s) => s.size === VIEWPORTS.length ? 'both sizes' : [...s].join(' ');
  const lines = [`${failures.length} problems (${byKind.length} kinds) on ${reached.size} screens` +
    ` (the smiley question only in ${raterLang ?? 'no language'}: the demo's rater has that one language):`];
  let kind = '';
  for (const g of byKind) {
    if (g.kind !== kind) { kind = g.kind; lines.push('', `== ${kind}`); }
    const d = [...g.details];
    const many = g.kind === 'catalog' ? 60 : 3;
    lines.push(`- ${g.key}  ×${g.n}`,
      `    on ${[...g.screens].join(', ')} · ${langs(g.langs)} · ${vps(g.vps)}`);
    if (g.worst) lines.push(`    up to ${g.px} px too many (${g.worst})`);
    else if (d.length) lines.push(`    ${g.kind === 'catalog' ? '' : 'e.g. '}${d.slice(0, many).join(' | ')}${d.length > many ? ` (+${d.length - many} more)` : ''}`);
  }
  const all = LANGS.length * VIEWPORTS.length;
  const short = [...reached].filter(([s, set]) => set.size < all && !(s === 'rate')).map(([s, set]) => `${s} (${set.size}/${all})`);
  if (short.length) lines.push('', '== screens not reached everywhere', '- ' + short.join(', '));
  return lines.join('\n');
}

test('every kiosk screen, in every kiosk language, at two screen sizes', { skip: SKIP, timeout: 20 * 60 * 1000 }, async (t) => {
  const started = Date.now();
  const queue = [...LANGS];
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    for (let L = queue.shift(); L; L = queue.shift()) {
      for (const vp of VIEWPORTS) await sweep(L, vp);
    }
  }));
  if (!raterLang) fail('unreachable', { screen: 'rate', L: '-', vp: '-' }, 'the demo rater is not asked the smiley question');
  const report = summary();
  const seconds = Math.round((Date.now() - started) / 1000);
  t.diagnostic(`sweep: ${seconds} s for ${[...reached.values()].reduce((n, s) => n + s.size, 0)} screens, ` +
    `of which ${Math.round(reportWait / 1000)} s spent spacing reports (${REPORTS_PER_MINUTE} a minute per kiosk)`);
  t.diagnostic('speaker buttons shown/present: ' + [...heard].map(([l, [v, n]]) => `${l} ${v}/${n}`).join(', '));
  writeFileSync(join(SHOTS, 'sweep-failures.json'), JSON.stringify({ seconds, reportWaitSeconds: Math.round(reportWait / 1000),
    raterLang, screens: Object.fromEntries([...reached].map(([s, set]) => [s, set.size])),
    speakersShown: Object.fromEntries(heard), failures }, null, 1));
  writeFileSync(join(SHOTS, 'sweep-failures.txt'), report + '\n');
  if (failures.length) assert.fail(report);
});
