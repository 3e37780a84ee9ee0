import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { RunningPlatform } from '@platform/devstack';
import { startPlatform } from '@platform/devstack';

/**
 * A person's journey through the platform in real Chromium, against the platform started the
 * way `npm start` starts it (through HAProxy when it is installed). One screenshot per step goes
 * to tools/e2e/screenshots/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', 'screenshots');
// As root in a sandbox: no Chromium sandbox, and no background traffic to a network we do not have.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let platform: RunningPlatform;
let browser: Browser;
let page: Page;
let step = 0;
const email = `e2e.${Date.now()}@example.com`;
const password = 'an end-to-end password';
const euros = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(cents / 100);

async function screenshot(name: string): Promise<void> {
  step += 1;
  await page.screenshot({
    path: join(SCREENSHOTS, `${String(step).padStart(2, '0')}-${name}.png`),
    fullPage: true,
  });
}

async function logIn(who: string, secret: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(who);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  platform = await startPlatform();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const context = await browser.newContext({
    baseURL: platform.webUrl,
    locale: 'en-US',
    viewport: { width: 1200, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
}, 60_000);

describe('a visitor, a customer and an admin', () => {
  it('sees the catalog with the seeded items and the offer in force', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Catalog' }).waitFor();
    await page.getByText('33 items').waitFor();
    await page.getByLabel('Current offers').getByText('Kitchen week').waitFor();
    await screenshot('catalog');
  });

  it('registers and logs in', async () => {
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Your account is ready. Log in to continue.').waitFor();
    await screenshot('registered');
    await logIn(email, password);
    await page.getByText(email).waitFor();
    await screenshot('logged-in');
  });

  it('searches and pages through the catalog', async () => {
    await page.goto('/');
    await page.getByLabel('Search').fill('lamp');
    await page.getByRole('button', { name: 'Search' }).click();
    // The first page stays on screen until the results replace it.
    await page.getByRole('link', { name: 'Bamboo Cutting Board' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Desk Lamp' }).waitFor();
    await screenshot('search');
    await page.goto('/');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 3').waitFor();
    await screenshot('page-2');
  });

  it('opens items and puts two of them in the cart', async () => {
    await page.goto('/?q=kettle');
    await page.getByRole('link', { name: 'Stainless Steel Kettle' }).click();
    await page.getByRole('heading', { name: 'Stainless Steel Kettle' }).waitFor();
    await screenshot('item');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await page.goto('/?q=keyboard');
    await page.getByRole('link', { name: 'Mechanical Keyboard' }).click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('link', { name: 'Cart (2)' }).waitFor();
  });

  it('prices the cart and applies the seeded code', async () => {
    await page.goto('/cart');
    // Kettle 34.99 (kitchen, 15% automatic) and keyboard 99.00.
    await page
      .getByTestId('total')
      .getByText(euros(3499 + 9900 - 525))
      .waitFor();
    await page.getByLabel('Discount code').fill('welcome10');
    await page.getByRole('button', { name: 'Apply' }).click();
    // The kettle keeps its larger 15% (525); the keyboard gets the code's 10% (990). No stacking.
    await page
      .getByTestId('total')
      .getByText(euros(3499 + 9900 - 525 - 990))
      .waitFor();
    expect(await page.getByTestId('subtotal').textContent()).toBe(euros(13399));
    expect(await page.getByTestId('discount').textContent()).toBe(`−${euros(1515)}`);
    await screenshot('cart-with-code');
  });

  it('shows an invalid code inline', async () => {
    await page.getByLabel('Discount code').fill('NOT-A-REAL-CODE');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('This code is not valid').waitFor();
    await screenshot('invalid-code');
  });

  it('lets an admin create an item and a discount, which the catalog then shows', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(platform.admin.email, platform.admin.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('button', { name: 'New item' }).click();
    const itemForm = page.getByRole('form', { name: 'New item' });
    await itemForm.getByLabel('Name').fill('E2E Teapot');
    await itemForm.getByLabel('Price').fill('25.00');
    await itemForm.getByLabel('Category').fill('kitchen');
    await itemForm.getByRole('button', { name: 'Create item' }).click();
    await page.getByText('Item created.').waitFor();
    await page.getByRole('button', { name: 'New discount' }).click();
    const discountForm = page.getByRole('form', { name: 'New discount' });
    await discountForm.getByLabel('Description').fill('E2E autumn offer');
    await discountForm.getByLabel('Percent').fill('5');
    await discountForm.getByRole('button', { name: 'Create discount' }).click();
    await page.getByText('Discount created.').waitFor();
    await screenshot('admin');
    await page.goto('/?q=teapot');
    await page.getByRole('link', { name: 'E2E Teapot' }).waitFor();
    await page.getByLabel('Current offers').getByText('E2E autumn offer').waitFor();
    await screenshot('catalog-after-admin');
  });

  it('logs out', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in' }).waitFor();
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await screenshot('logged-out');
  });

  it('shows the catalog error state when items is down', async () => {
    await platform.stopService('items');
    await page.goto('/');
    await page.getByRole('alert').getByText("We can't load the catalog right now").waitFor();
    await screenshot('items-down');
  });
});
