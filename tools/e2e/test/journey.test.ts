import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page, Request, Route } from 'playwright-core';
import { chromium, request } from 'playwright-core';
import type { RunningPlatform } from '@platform/devstack';
import { startPlatform } from '@platform/devstack';

/**
 * A person's journey through the platform in real Chromium, against the platform started the
 * way `npm start` starts it (through HAProxy when it is installed), once on a desktop screen and
 * once on a phone. Every step takes a screenshot (tools/e2e/screenshots/<viewport>/), is checked
 * with axe (WCAG 2.1 A and AA), for horizontal scrolling at 360, 390 and 1440 px, and on the phone
 * for touch targets of at least 44×44 px; some steps again in the dark colour scheme. States that
 * need a failing service (the catalog or the quote down) are made by answering that request with
 * a 503 in the browser; the services themselves stay real.
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
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const WIDTHS = [360, 390, 1440];
const TOUCH_TARGET = 44;

interface Viewport {
  name: 'desktop' | 'mobile';
  width: number;
  height: number;
  mobile: boolean;
}
const VIEWPORTS: Viewport[] = [
  { name: 'desktop', width: 1440, height: 900, mobile: false },
  { name: 'mobile', width: 390, height: 844, mobile: true },
];

let platform: RunningPlatform;
let browser: Browser;
const password = 'an end-to-end password';
const euros = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(cents / 100);
const title = (page: string) => `${page} · Platform Shop`;
const unavailable = (route: Route) =>
  route.fulfill({
    status: 503,
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'The service is unavailable.' } }),
  });
const isItemList = (url: URL) => url.pathname === '/api/items';
const isQuote = (url: URL) => url.pathname === '/api/discounts/quote';

/** The axe violations on the page, one readable line per rule and element. */
async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `axe ${violation.id} (${violation.impact ?? 'unknown'}): ${node.target.join(' ')} — ${violation.help}`,
    ),
  );
}

/** Pages wider than the window at 360, 390 and 1440 px; the window is put back afterwards. */
async function horizontalScroll(page: Page, viewport: Viewport): Promise<string[]> {
  const found: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: viewport.height });
    const sizes = await page.evaluate(
      () =>
        new Promise<[number, number]>((resolve) =>
          requestAnimationFrame(() => resolve([document.documentElement.scrollWidth, window.innerWidth])),
        ),
    );
    if (sizes[0] > sizes[1]) found.push(`scrolls sideways at ${width} px: ${sizes[0]} > ${sizes[1]}`);
  }
  await page.setViewportSize({ width: viewport.width, height: viewport.height });
  return found;
}

/** Buttons, links and inputs on screen smaller than 44×44 px. */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate((minimum) => {
    const selector =
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"]';
    const small: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      if (element.closest('.visually-hidden, [inert], [aria-hidden="true"]')) continue;
      const label = element.closest('label');
      const after = getComputedStyle(element, '::after');
      // A checkbox counts with its label, and a link stretched over its card with the card.
      const target =
        element instanceof HTMLInputElement && ['checkbox', 'radio'].includes(element.type) && label
          ? label
          : after.position === 'absolute' && after.content !== 'none' && element.offsetParent
            ? element.offsetParent
            : element;
      const box = target.getBoundingClientRect();
      // Not laid out, or kept off screen until focused (the skip link).
      if (box.width === 0 || box.height === 0 || box.bottom < 0) continue;
      if (getComputedStyle(target).visibility === 'hidden') continue;
      if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
        const name = (element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40);
        const what =
          element.tagName.toLowerCase() +
          (element.className ? `.${element.className.split(' ').join('.')}` : '');
        small.push(`target ${what} "${name}": ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  }, TOUCH_TARGET);
}

/** The error shown for a field: tied to its input (aria-describedby) and inside the field's own box. */
async function fieldError(scope: Page | Locator, label: string): Promise<string> {
  const input = scope.getByLabel(label, { exact: true });
  const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
  if (!errorId) throw new Error(`${label} has no error tied to it (aria-describedby="${describedBy}")`);
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  const error = input.locator('xpath=..').locator(`[id="${errorId}"]`);
  return (await error.textContent()) ?? '';
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  platform = await startPlatform();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
}, 60_000);

describe.each(VIEWPORTS)('$name', (viewport) => {
  let context: BrowserContext;
  let page: Page;
  let step = 0;
  const refreshes: string[] = [];
  const email = `e2e.${viewport.name}.${Date.now()}@example.com`;
  const itemName = `E2E Teapot ${viewport.name}`;
  const offerName = `E2E autumn offer ${viewport.name}`;

  async function screenshot(name: string): Promise<void> {
    // Colours fade in over a few frames after a change of scheme: the picture shows where they end.
    await page.evaluate(() =>
      Promise.all(
        document
          .getAnimations()
          .filter((animation) => animation instanceof CSSTransition)
          .map((animation) => animation.finished.catch(() => undefined)),
      ),
    );
    await page.screenshot({
      path: join(SCREENSHOTS, viewport.name, `${String(step).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  }

  /**
   * The step's screenshot and checks: axe, no sideways scrolling, and touch targets on the phone;
   * with `dark`, a second screenshot and axe run in the dark colour scheme. Fails with the list.
   */
  async function check(name: string, { dark = false }: { dark?: boolean } = {}): Promise<void> {
    step += 1;
    await screenshot(name);
    const problems = await axeViolations(page);
    problems.push(...(await horizontalScroll(page, viewport)));
    if (viewport.mobile) problems.push(...(await smallTargets(page)));
    if (dark) {
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(`${name}-dark`);
      problems.push(...(await axeViolations(page)).map((problem) => `dark: ${problem}`));
      await page.emulateMedia({ colorScheme: 'light' });
    }
    expect(problems).toEqual([]);
  }

  /** Waits for focus to be on the page's h1 reading `text`. */
  async function focusOnHeading(text: string): Promise<void> {
    await page.waitForFunction(
      (expected) => {
        const active = document.activeElement;
        return active?.tagName === 'H1' && active.textContent?.trim() === expected;
      },
      text,
      { timeout: 5_000 },
    );
  }

  async function logIn(who: string, secret: string): Promise<void> {
    await page.goto('/login');
    await page.getByLabel('Email').fill(who);
    await page.getByLabel('Password').fill(secret);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
  }

  beforeAll(async () => {
    mkdirSync(join(SCREENSHOTS, viewport.name), { recursive: true });
    context = await browser.newContext({
      baseURL: platform.webUrl,
      locale: 'en-US',
      viewport: { width: viewport.width, height: viewport.height },
      isMobile: viewport.mobile,
      hasTouch: viewport.mobile,
      colorScheme: 'light',
    });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('request', (request: Request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/auth/refresh')
        refreshes.push(page.url());
    });
  });

  afterAll(async () => {
    await context?.close();
  });

  it('shows the catalog with pictures and offers, a skip link first, and no session refresh', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Catalog' }).waitFor();
    await page.getByText('33 items').waitFor();
    await page.getByLabel('Current offers').getByText('Kitchen week').waitFor();
    expect(await page.title()).toBe(title('Catalog'));
    expect(await page.locator('.item-card img').count()).toBe(12);
    // The kitchen offer's badge sits on the kitchen items' cards.
    expect(await page.locator('.item-card .badge-offer').count()).toBeGreaterThan(0);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))).toMatch(
      /^<a [^>]*class="skip-link"[^>]*>Skip to content<\/a>$/,
    );
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await check('catalog', { dark: true });
    expect(refreshes).toEqual([]);
  });

  it('shows skeletons while the catalog loads', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const hold = async (route: Route) => {
      await held;
      await route.continue();
    };
    await page.route(isItemList, hold);
    await page.goto('/?category=kitchen');
    await page.locator('.skeleton').first().waitFor();
    await check('catalog-loading', { dark: true });
    release();
    await page.getByRole('link', { name: 'Stainless Steel Kettle' }).waitFor();
    await page.unroute(isItemList, hold);
  });

  it('says so when the catalog cannot load, and loads it on retry', async () => {
    await page.route(isItemList, unavailable);
    await page.goto('/');
    await page.getByRole('alert').getByText("We can't load the catalog right now").waitFor();
    await check('catalog-error', { dark: true });
    await page.unroute(isItemList, unavailable);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('33 items').waitFor();
  });

  it('says there is no such page past the end, and links back', async () => {
    await page.goto('/?page=999');
    await page.getByText('There is no page 999.').waitFor();
    await page.getByText('The catalog has 3 pages.').waitFor();
    await check('no-such-page');
    await page.getByRole('link', { name: 'Go to the last page' }).click();
    await page.getByText('Page 3 of 3').waitFor();
  });

  it('searches, finds nothing or something, and pages through the catalog', async () => {
    await page.goto('/');
    await page.getByLabel('Search').fill('no such thing at all');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No items match your search.').waitFor();
    await check('search-empty');
    await page.getByLabel('Search').fill('lamp');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Desk Lamp' }).waitFor();
    await check('search');
    await page.getByRole('link', { name: 'Platform Shop' }).click();
    await page.getByText('33 items').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 3').waitFor();
    await focusOnHeading('Catalog');
    await check('page-2');
  });

  it('registers with field errors in plain words first, then logs in', async () => {
    await page.getByRole('link', { name: 'Log in' }).click();
    await focusOnHeading('Log in');
    expect(await page.title()).toBe(title('Log in'));
    await check('login', { dark: true });
    await page.getByRole('link', { name: 'Create an account' }).click();
    await focusOnHeading('Create an account');
    expect(await page.title()).toBe(title('Create an account'));
    await page.getByLabel('Email').fill('not an email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await fieldError(page, 'Email')).toBe('Enter an email address, like name@example.com.');
    expect(await fieldError(page, 'Password')).toBe('Use at least 10 characters.');
    await check('register-errors', { dark: true });
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Your account is ready. Log in to continue.').waitFor();
    await check('registered');
    await logIn(email, password);
    // The header names who is logged in where there is room for it.
    if (!viewport.mobile) await page.getByText(email).waitFor();
    await check('logged-in');
  });

  it('opens an item, clamps its quantity with a message, and puts two items in the cart', async () => {
    await page.goto('/?q=kettle');
    await page.getByRole('link', { name: 'Stainless Steel Kettle' }).click();
    await page.getByRole('heading', { name: 'Stainless Steel Kettle' }).waitFor();
    await focusOnHeading('Stainless Steel Kettle');
    expect(await page.title()).toBe(title('Stainless Steel Kettle'));
    const quantity = page.getByLabel('Quantity', { exact: true });
    await quantity.fill('500');
    await page.getByText('You can order at most 100 of one item.').waitFor();
    expect(await quantity.inputValue()).toBe('100');
    await check('item-quantity-clamped', { dark: true });
    await quantity.fill('0');
    await quantity.blur();
    await page.getByText('The quantity is at least 1.').waitFor();
    expect(await quantity.inputValue()).toBe('1');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await check('item-added');
    await page.goto('/?q=keyboard');
    await page.getByRole('link', { name: 'Mechanical Keyboard' }).click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('link', { name: 'Cart (2)' }).waitFor();
  });

  it('prices the cart, applies a code, and keeps it when a bad one is tried', async () => {
    await page.getByRole('link', { name: 'Cart (2)' }).click();
    await focusOnHeading('Your cart');
    expect(await page.title()).toBe(title('Your cart'));
    // Kettle 34.99 (kitchen, 15% automatic) and keyboard 99.00.
    await page
      .getByTestId('total')
      .getByText(euros(3499 + 9900 - 525))
      .waitFor();
    await page.getByLabel('Discount code').fill('welcome10');
    await page.getByRole('button', { name: 'Apply' }).click();
    // The kettle keeps its larger 15% (525); the keyboard gets the code's 10% (990). No stacking.
    const withCode = euros(3499 + 9900 - 525 - 990);
    await page.getByTestId('total').getByText(withCode).waitFor();
    expect(await page.getByTestId('subtotal').textContent()).toBe(euros(13399));
    expect(await page.getByTestId('discount').textContent()).toBe(`−${euros(1515)}`);
    await check('cart-with-code', { dark: true });

    await page.getByLabel('Discount code').fill('NOT-A-REAL-CODE');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('This code is not valid').waitFor();
    expect(await fieldError(page, 'Discount code')).toBe(
      'This code is not valid: NOT-A-REAL-CODE is unknown, has ended or has not started yet. WELCOME10 still applies.',
    );
    await page.getByText('Code WELCOME10').waitFor();
    expect(await page.getByTestId('total').textContent()).toBe(withCode);
    await check('cart-invalid-code');
  });

  it('keeps the cart lines and the last prices, marked out of date, while the quote is down, and prices them again on retry', async () => {
    const pricedTotal = await page.getByTestId('total').textContent();
    expect(pricedTotal).toMatch(/€/);
    await page.route(isQuote, unavailable);
    await page.getByRole('button', { name: 'Increase the quantity of Stainless Steel Kettle' }).click();
    const quoteDown = page.getByRole('alert').filter({ hasText: 'your prices' });
    await quoteDown
      .getByText("We couldn't update your prices, so the totals below may be out of date.")
      .waitFor();
    expect(await page.getByTestId('total').textContent()).toBe(pricedTotal);
    const lines = page.getByRole('list', { name: 'Items in your cart' }).getByRole('listitem');
    expect(await lines.count()).toBe(2);
    await check('cart-quote-down', { dark: true });
    await page.getByRole('button', { name: 'Remove Mechanical Keyboard' }).click();
    await page.getByRole('link', { name: 'Mechanical Keyboard' }).waitFor({ state: 'detached' });
    expect(await lines.count()).toBe(1);
    await page.unroute(isQuote, unavailable);
    await page.getByRole('button', { name: 'Try again' }).click();
    // Two kettles, each with the kitchen offer's 15%.
    await page
      .getByTestId('total')
      .getByText(euros(2 * 3499 - 1050))
      .waitFor();
    await quoteDown.waitFor({ state: 'detached' });
    await check('cart-priced-again');
    await page.getByRole('button', { name: 'Remove Stainless Steel Kettle' }).click();
    await page.getByText('Your cart is empty.').waitFor();
    await check('cart-empty', { dark: true });
  });

  it('shows a page not found', async () => {
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await page.title()).toBe(title('Page not found'));
    await check('not-found');
  });

  it('lets an admin search and page the items, and create an item after plain field errors', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(platform.admin.email, platform.admin.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    await focusOnHeading('Admin');
    expect(await page.title()).toBe(title('Admin'));
    await page.getByRole('table', { name: 'Items, page 1 of 2' }).waitFor();
    await check('admin', { dark: true });
    await page.getByRole('navigation', { name: 'Item pages' }).getByRole('button', { name: 'Next' }).click();
    await page.getByRole('table', { name: 'Items, page 2 of 2' }).waitFor();
    await page.getByLabel('Search items').fill('lamp');
    await page.getByRole('table', { name: 'Items, page 1 of 1' }).getByText('Desk Lamp').waitFor();
    await check('admin-items-search');
    await page.getByLabel('Search items').fill('');

    await page.getByRole('button', { name: 'New item' }).click();
    const itemForm = page.getByRole('form', { name: 'New item' });
    await itemForm.getByLabel('Price').fill('twelve');
    await itemForm.getByRole('button', { name: 'Create item' }).click();
    expect(await fieldError(itemForm, 'Name')).toBe('Enter a name of 1 to 120 characters.');
    expect(await fieldError(itemForm, 'Price')).toBe('Enter a price such as 12.50, up to 1,000,000.00.');
    expect(await fieldError(itemForm, 'Category')).toMatch(/^Enter a category of up to 50 letters/);
    await check('admin-item-errors', { dark: true });
    await itemForm.getByLabel('Name').fill(itemName);
    await itemForm.getByLabel('Price').fill('25.00');
    await itemForm.getByLabel('Category').fill('kitchen');
    await itemForm.getByRole('button', { name: 'Create item' }).click();
    await page.getByText('Item created.').waitFor();
  });

  it('lets an admin create a discount, edit it, and delete it and the item after confirming', async () => {
    await page.getByRole('button', { name: 'New discount' }).click();
    const newForm = page.getByRole('form', { name: 'New discount' });
    await newForm.getByLabel('Description').fill(offerName);
    await newForm.getByLabel('Percent').fill('5');
    await newForm.getByRole('button', { name: 'Create discount' }).click();
    await page.getByText('Discount created.').waitFor();
    await page.getByLabel('Search discounts').fill(offerName);
    const row = page.getByRole('row', { name: new RegExp(offerName) });
    await row.getByText('5% off').waitFor();

    await page.getByRole('button', { name: `Edit ${offerName}` }).click();
    const editForm = page.getByRole('form', { name: `Edit ${offerName}` });
    await editForm.getByLabel('Percent').fill('0');
    await editForm.getByRole('button', { name: 'Save discount' }).click();
    expect(await fieldError(editForm, 'Percent')).toBe('Enter a percentage between 1 and 100.');
    await check('admin-discount-edit', { dark: true });
    await editForm.getByLabel('Percent').fill('7');
    await editForm.getByRole('button', { name: 'Save discount' }).click();
    await page.getByText(`Saved ${offerName}.`).waitFor();
    await row.getByText('7% off').waitFor();
    await check('admin-discount-edited');

    await page.goto('/?q=teapot');
    await page.getByRole('link', { name: itemName }).waitFor();
    await page.getByLabel('Current offers').getByText(offerName).waitFor();
    await check('catalog-after-admin');

    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByLabel('Search discounts').fill(offerName);
    // The search has answered (the row is also on the unsearched first page).
    await page.getByText('1 discount', { exact: true }).waitFor();
    await row.waitFor();
    await page.getByRole('button', { name: `Delete ${offerName}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${offerName}?` });
    await confirm.waitFor();
    await check('admin-delete-confirm', { dark: true });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);
    await page.getByRole('button', { name: `Delete ${offerName}` }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(`Deleted ${offerName}.`).waitFor();
    await row.waitFor({ state: 'detached' });

    await page.getByLabel('Search items').fill('teapot');
    await page.getByRole('button', { name: `Delete ${itemName}` }).click();
    await page
      .getByRole('dialog', { name: `Delete ${itemName}?` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText(`Deleted ${itemName}.`).waitFor();
    // Both searches have answered: the page no longer changes under the screenshot.
    await page.getByText('No items match your search.').waitFor();
    await page.getByText('No discounts match your search.').waitFor();
    await check('admin-after-delete');
  });

  it('lets an admin page through the discounts and search them', async () => {
    // More discounts than the table's page of 20, made through the API as the admin. They have
    // codes, so the catalog's offers (automatic discounts) and the cart's prices stay as they were.
    const api = await request.newContext({ baseURL: platform.webUrl });
    const login = await api.post('/api/auth/login', {
      data: { email: platform.admin.email, password: platform.admin.password },
    });
    expect(login.status()).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}` };
    const made: string[] = [];
    const described = (n: number) => `E2E paging ${viewport.name} ${String(n).padStart(2, '0')}`;
    try {
      for (let n = 1; n <= 21; n += 1) {
        const answer = await api.post('/api/discounts', {
          headers,
          data: {
            code: `E2E-${viewport.name}-${String(n).padStart(2, '0')}`,
            description: described(n),
            percentOff: n,
            appliesTo: { type: 'all' },
          },
        });
        expect(answer.status()).toBe(201);
        made.push(((await answer.json()) as { discount: { id: string } }).discount.id);
      }

      await page.goto('/admin');
      // Newest first: the 20 just made fill page 1, the first of them and the seeded two page 2.
      const firstPage = page.getByRole('table', { name: 'Discounts, page 1 of 2' });
      await firstPage.getByRole('rowheader', { name: described(21) }).waitFor();
      expect(await firstPage.getByRole('rowheader', { name: /^E2E paging/ }).count()).toBe(20);
      const pages = page.getByRole('navigation', { name: 'Discount pages' });
      await pages.getByText('Page 1 of 2').waitFor();
      expect(await pages.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
      await pages.getByRole('button', { name: 'Next' }).click();
      const secondPage = page.getByRole('table', { name: 'Discounts, page 2 of 2' });
      await secondPage.getByRole('rowheader', { name: described(1) }).waitFor();
      await secondPage.getByRole('rowheader', { name: 'Kitchen week' }).waitFor();
      await pages.getByText('Page 2 of 2').waitFor();
      expect(await pages.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
      await check('admin-discounts-page-2', { dark: true });
      await pages.getByRole('button', { name: 'Previous' }).click();
      await firstPage.getByRole('rowheader', { name: described(21) }).waitFor();

      // Every word starts a word of the code or the description: one discount, one page, no paging.
      await page.getByLabel('Search discounts').fill(`${viewport.name} 07`);
      const found = page.getByRole('table', { name: 'Discounts, page 1 of 1' });
      await found.getByRole('rowheader', { name: described(7) }).waitFor();
      expect(await found.getByRole('rowheader').count()).toBe(1);
      await page.getByText('1 discount', { exact: true }).waitFor();
      await pages.waitFor({ state: 'detached' });
      await check('admin-discounts-search');
    } finally {
      for (const id of made) await api.delete(`/api/discounts/${id}`, { headers });
      await api.dispose();
    }
  });

  it('logs out, and a logged-out load asks for no session refresh', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in' }).waitFor();
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    refreshes.length = 0;
    await page.goto('/');
    await page.getByText('33 items').waitFor();
    expect(refreshes).toEqual([]);
    await check('logged-out');
  });
});

describe('without the items service', () => {
  it('shows the catalog error state', async () => {
    const context = await browser.newContext({ baseURL: platform.webUrl, locale: 'en-US' });
    const page = await context.newPage();
    await platform.stopService('items');
    await page.goto('/');
    await page.getByRole('alert').getByText("We can't load the catalog right now").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'items-down.png'), fullPage: true });
    await context.close();
  });
});
