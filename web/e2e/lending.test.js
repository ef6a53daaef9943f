// Lending at the desk, scanner first: add laptops and print their labels,
// lend one with its charger by scanning a card and a label, refuse it to a
// second desk, show it to the member at the kiosk, take it back, wipe it,
// and see an overdue loan on the dashboard and at the kiosk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, signIn, scanCard, decodePDFPages, decodeCardPDF, msg, SHOTS } from './harness.js';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

async function staffPage(login) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl-BE' });
  const p = await ctx.newPage();
  await signIn(p, srv.base, login);
  return p;
}

// The desk scanner types into the focused field and presses Enter.
async function scan(page, text) {
  await page.getByLabel(/^Scan /).fill('');
  await page.getByLabel(/^Scan /).focus();
  await page.keyboard.type(text, { delay: 2 });
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

test('lend a laptop with its charger, refuse it twice, take it back', async () => {
  const desk = await staffPage(srv.logins.staff);
  try {
    await desk.getByRole('link', { name: msg('nl', 'admin.nav.devices') }).click();
    await desk.getByLabel(msg('nl', 'admin.devices.count')).fill('3');
    await desk.getByLabel(msg('nl', 'admin.devices.make'), { exact: true }).fill('Lenovo');
    await desk.getByLabel(msg('nl', 'admin.devices.model'), { exact: true }).fill('ThinkPad T480');
    await desk.getByRole('button', { name: msg('nl', 'admin.devices.add') }).click();
    await desk.getByRole('status').filter({ hasText: msg('nl', 'admin.devices.added').split(/[.:]/)[0] }).waitFor();
    const tags = await desk.locator('td.code a').allInnerTexts();
    assert.equal(tags.length, 3);
    // Print the three labels on a roll; every QR leads to its device.
    for (const box of await desk.getByRole('checkbox').all()) await box.check();
    const href = '/admin/devices/labels.pdf?' + (await desk.locator('input[name=id]').evaluateAll((els) => els.map((e) => 'id=' + e.value).join('&'))) + '&format=roll';
    const labels = decodePDFPages(await (await desk.request.get(srv.base + href)).body(), 'labels');
    assert.deepEqual(labels.map((u) => u && u.replace(/^.*\/d\//, '')).sort(), [...tags].sort(), 'each label decodes to its device');

    // A charger that goes with the first laptop.
    await desk.getByLabel(msg('nl', 'admin.devices.type')).last().selectOption('accessory');
    await desk.getByLabel(msg('nl', 'admin.devices.model'), { exact: true }).fill('lader 65 W');
    await desk.getByLabel(/^Hoort bij/).fill(tags[0]);
    await desk.getByRole('button', { name: msg('nl', 'admin.devices.add') }).click();
    await desk.getByRole('status').waitFor();

    // Lend: scan the card, then the label (the URL in its QR).
    await desk.goto(srv.base + '/admin/lend');
    await scan(desk, srv.dutchCard);
    await scan(desk, labels[0]);
    await desk.locator('#lend-devices').getByText('lader 65 W').waitFor();
    await desk.getByRole('checkbox', { name: msg('nl', 'admin.lend.terms_ok') }).check();
    await desk.getByRole('button', { name: msg('nl', 'admin.lend.confirm') }).click();
    await desk.getByRole('status').filter({ hasText: msg('nl', 'admin.loans.lent') }).waitFor();
    const receiptHref = await desk.locator('#receipt-link').getAttribute('href');
    const receipt = decodeCardPDF(await (await desk.request.get(srv.base + receiptHref)).body(), 'receipt');
    assert.ok(receipt.text.includes(msg('nl', 'receipt.title')) && receipt.text.includes(tags[0]), 'a Dutch receipt for a Dutch-speaking member: ' + receipt.text);
    await desk.screenshot({ path: join(SHOTS, 'lend-done.png') }).catch(() => {}); // a picture to look at, not a check

    // A second desk tries the same laptop.
    const other = await staffPage(srv.logins.admin);
    await other.goto(srv.base + '/admin/lend');
    await scan(other, srv.sampleCard);
    await scan(other, tags[0]);
    await other.getByRole('alert').filter({ hasText: `${tags[0]} kan niet uitgeleend worden` }).waitFor();

    // The member sees the loan at the kiosk.
    const kctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const kiosk = await kctx.newPage();
    await kiosk.goto(srv.base + '/kiosk');
    await scanCard(kiosk, srv.dutchCard);
    await kiosk.getByRole('link', { name: msg('nl', 'kiosk.home.bookings') }).click();
    await kiosk.getByRole('listitem').filter({ hasText: msg('nl', 'kiosk.loans.type.laptop') }).first().waitFor();
    await kiosk.screenshot({ path: join(SHOTS, 'kiosk-loans.png') }).catch(() => {}); // a picture to look at, not a check

    // Overdue: the due date set to yesterday shows on the dashboard and
    // as a reminder at the kiosk.
    await desk.goto(srv.base + '/admin/devices');
    await desk.getByRole('link', { name: tags[0] }).click();
    const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    await desk.getByLabel(msg('nl', 'admin.loans.new_due')).fill(yesterday);
    await desk.getByRole('button', { name: msg('nl', 'admin.loans.extend') }).click();
    await desk.goto(srv.base + '/admin');
    assert.equal(await desk.locator('#overdue-count').innerText(), '2', 'laptop and charger overdue');
    await kiosk.goto(srv.base + '/kiosk/reset');
    await scanCard(kiosk, srv.dutchCard);
    await kiosk.getByText(msg('nl', 'kiosk.loans.reminder')).waitFor();
    await kiosk.screenshot({ path: join(SHOTS, 'kiosk-reminder.png') }).catch(() => {}); // a picture to look at, not a check

    // Take it back with its charger; wipe later.
    await desk.goto(srv.base + '/admin/return');
    await scan(desk, labels[0]);
    await desk.getByRole('button', { name: msg('nl', 'admin.return.confirm') }).click();
    await desk.getByRole('status').filter({ hasText: msg('nl', 'admin.return.done_available').split(/[.:]/)[0] }).waitFor();
    await desk.goto(srv.base + '/admin/devices?q=' + tags[0]);
    await desk.getByRole('link', { name: tags[0] }).click();
    await desk.getByRole('button', { name: msg('nl', 'admin.devices.confirm_wipe') }).click();
    assert.equal(await desk.locator('#device-status').innerText(), msg('nl', 'admin.devices.status.available'));
    const history = await desk.getByRole('table').last().innerText();
    assert.ok(history.includes('desk@demo.drempel') && history.includes(msg('nl', 'admin.devices.event.lent')) && history.includes(msg('nl', 'admin.devices.event.wiped')), history);
    await kctx.close();
  } catch (e) {
    await desk.screenshot({ path: join(SHOTS, 'lending-failure.png'), fullPage: true }).catch(() => {}); // a picture to look at, not a check
    throw e;
  }
});
