import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeApi, item, noSession, renderAt, session } from './support';

const page = (
  items: (ReturnType<typeof item> & { image?: string })[],
  total = items.length,
  pageNumber = 1,
) => ({
  status: 200,
  body: { items, page: pageNumber, limit: 12, total },
});
const kitchenWeek = {
  id: 'd1',
  description: 'Kitchen week',
  percentOff: 15,
  appliesTo: { type: 'category', category: 'kitchen' },
  active: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const catalogApi = {
  ...noSession,
  'GET /api/items/categories': () => ({ status: 200, body: { categories: ['kitchen', 'lighting'] } }),
  'GET /api/discounts/active': () => ({ status: 200, body: { discounts: [kitchenWeek] } }),
};
const unavailable = (code = 'UPSTREAM_UNAVAILABLE') => ({
  status: 503,
  body: { error: { code, message: 'unavailable' } },
});
const numberInput = (element: HTMLElement, value: string) =>
  // One change event: user-event fakes text selection in number inputs (jsdom has none), and a
  // clear-then-type through it has been seen to keep the old digit now and then.
  fireEvent.change(element, { target: { value } });
const storedCart = () => JSON.parse(localStorage.getItem('platform.cart') ?? '[]') as unknown[];

describe('catalog', () => {
  it('lists items as cards with their pictures, prices, the offer in force, and pages', async () => {
    const { calls } = fakeApi({
      ...catalogApi,
      'GET /api/items': () =>
        page(
          [
            { ...item('a', 'Kettle', 3499), image: '/images/items/kettle.svg' },
            item('b', 'Lamp', 3999, 'lighting'),
          ],
          13,
        ),
    });
    renderAt('/');
    const kettle = await screen.findByRole('link', { name: 'Kettle' });
    expect(kettle).toHaveAttribute('href', '/items/a');
    const card = kettle.closest('li') as HTMLElement;
    // 15% off 34.99 is 5.25: the card shows the price with the offer and the price before it.
    expect(within(card).getByText('€29.74')).toBeInTheDocument();
    expect(within(card).getByText('€34.99').tagName).toBe('S');
    expect(within(card).getByText('15% off')).toBeInTheDocument();
    expect(card.querySelector('img')).toHaveAttribute('src', '/images/items/kettle.svg');
    expect(card.querySelector('img')).toHaveAttribute('width', '400');
    // An item without a picture gets the placeholder, and no offer outside its category.
    const lamp = screen.getByRole('link', { name: 'Lamp' }).closest('li') as HTMLElement;
    expect(lamp.querySelector('img')).toHaveAttribute('src', '/images/item-placeholder.svg');
    expect(within(lamp).getByText('€39.99')).toBeInTheDocument();
    expect(within(lamp).queryByText('15% off')).not.toBeInTheDocument();
    expect(within(screen.getByLabelText('Current offers')).getByText('Kitchen week')).toBeInTheDocument();
    expect(screen.getByText('13 items')).toBeInTheDocument();
    expect(screen.getByText('Page 1 of 2')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(calls.some((call) => call.path.includes('page=2'))).toBe(true));
  });

  it('falls back to the placeholder when a picture cannot be loaded', async () => {
    fakeApi({
      ...catalogApi,
      'GET /api/items': () => page([{ ...item('a', 'Kettle', 3499), image: '/images/items/gone.svg' }]),
    });
    renderAt('/');
    const image = (await screen.findByRole('link', { name: 'Kettle' })).closest('li')?.querySelector('img');
    fireEvent.error(image as HTMLImageElement);
    expect(image).toHaveAttribute('src', '/images/item-placeholder.svg');
  });

  it('searches and filters through the API', async () => {
    const { calls } = fakeApi({
      ...catalogApi,
      'GET /api/items': () => page([item('a', 'Desk Lamp', 3999, 'lighting')]),
    });
    renderAt('/');
    await userEvent.type(await screen.findByLabelText('Search'), 'lamp');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(calls.some((call) => call.path.includes('q=lamp'))).toBe(true));
    await userEvent.selectOptions(await screen.findByLabelText('Category'), 'lighting');
    await waitFor(() =>
      expect(
        calls.some((call) => call.path.includes('category=lighting') && call.path.includes('q=lamp')),
      ).toBe(true),
    );
  });

  it('says so when nothing matches, with a way back to everything', async () => {
    fakeApi({ ...catalogApi, 'GET /api/items': () => page([]) });
    renderAt('/?q=nothing');
    expect(await screen.findByText('No items match your search.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Show the whole catalog' })).toHaveAttribute('href', '/');
  });

  it('says a page past the end does not exist and links to the last one', async () => {
    const { calls } = fakeApi({
      ...catalogApi,
      'GET /api/items': ({ url }) =>
        url.searchParams.get('page') === '999' ? page([], 13, 999) : page([item('m', 'Mug', 1200)], 13, 2),
    });
    const { address } = renderAt('/?page=999');
    expect(await screen.findByText('There is no page 999.')).toBeInTheDocument();
    expect(screen.getByText('The catalog has 2 pages.')).toBeInTheDocument();
    expect(screen.queryByText('The catalog is empty.')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('link', { name: 'Go to the last page' }));
    expect(await screen.findByRole('link', { name: 'Mug' })).toBeInTheDocument();
    expect(address()).toBe('/?page=2');
    expect(calls.some((call) => call.path.includes('page=2'))).toBe(true);
  });

  it('shows a clear error when the items service is down, and recovers on retry', async () => {
    let down = true;
    fakeApi({
      ...catalogApi,
      'GET /api/items': () => (down ? unavailable('SERVICE_UNAVAILABLE') : page([item('a', 'Kettle', 3499)])),
    });
    renderAt('/');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("We can't load the catalog right now: the service is unavailable.");
    down = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'Kettle' })).toBeInTheDocument();
  });

  it('shows loading placeholders until the items arrive', async () => {
    let answer: (value: ReturnType<typeof page>) => void = () => undefined;
    fakeApi({
      ...catalogApi,
      'GET /api/items': () => new Promise((resolve) => (answer = resolve)),
    });
    renderAt('/');
    expect(await screen.findByText('Loading the catalog…')).toBeInTheDocument();
    expect(document.querySelectorAll('.items .skeleton').length).toBeGreaterThan(0);
    answer(page([item('a', 'Kettle', 3499)]));
    expect(await screen.findByRole('link', { name: 'Kettle' })).toBeInTheDocument();
    expect(screen.queryByText('Loading the catalog…')).not.toBeInTheDocument();
  });
});

describe('navigation and accessibility', () => {
  it('starts with a skip link, names each page in the title, and moves focus to the new page’s heading', async () => {
    fakeApi({
      ...catalogApi,
      'GET /api/items': () => page([item('a', 'Kettle', 3499)]),
      'GET /api/items/a': () => ({ status: 200, body: { item: item('a', 'Kettle', 3499) } }),
    });
    // In StrictMode, as the app runs in development: effects run twice, and still no navigation.
    renderAt('/', { strict: true });
    await screen.findByRole('link', { name: 'Kettle' });
    expect(document.title).toBe('Catalog · Platform Shop');
    // On the first load focus stays where the browser put it.
    expect(document.activeElement).toBe(document.body);
    await userEvent.tab();
    expect(document.activeElement).toHaveTextContent('Skip to content');
    await userEvent.keyboard('{Enter}');
    expect(document.activeElement).toBe(document.querySelector('main'));

    await userEvent.click(screen.getByRole('link', { name: 'Kettle' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Kettle' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(document.title).toBe('Kettle · Platform Shop');
  });

  it('moves focus to the heading of a page whose code was still loading, not to the page it left', async () => {
    fakeApi({ ...noSession });
    renderAt('/login', { strict: true });
    await screen.findByRole('heading', { level: 1, name: 'Log in' });
    // The register page has not been shown yet: while it loads, the login page stays, hidden.
    await userEvent.click(screen.getByRole('link', { name: 'Create an account' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Create an account' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
  });

  it('has few tab stops before the first product', async () => {
    fakeApi({ ...catalogApi, 'GET /api/items': () => page([item('a', 'Kettle', 3499)]) });
    renderAt('/');
    const product = await screen.findByRole('link', { name: 'Kettle' });
    let stops = 0;
    while (document.activeElement !== product && stops < 20) {
      await userEvent.tab();
      stops += 1;
    }
    // Skip link, brand, cart, log in, search, search button, category: then the first product.
    expect(stops - 1).toBeLessThanOrEqual(7);
  });

  it('marks the link of the page shown as the current page', async () => {
    fakeApi({ ...noSession });
    renderAt('/cart');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    await waitFor(() =>
      expect(within(nav).getByRole('link', { name: 'Cart' })).toHaveAttribute('aria-current', 'page'),
    );
    expect(within(nav).getByRole('link', { name: 'Log in' })).not.toHaveAttribute('aria-current');
    await userEvent.click(within(nav).getByRole('link', { name: 'Log in' }));
    await waitFor(() =>
      expect(within(nav).getByRole('link', { name: 'Log in' })).toHaveAttribute('aria-current', 'page'),
    );
    expect(within(nav).getByRole('link', { name: 'Cart' })).not.toHaveAttribute('aria-current');
  });

  it('says when a page does not exist, with its own title', async () => {
    fakeApi({ ...noSession });
    renderAt('/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe('Page not found · Platform Shop'));
  });
});

describe('item page', () => {
  const itemApi = {
    ...noSession,
    'GET /api/items/a': () => ({
      status: 200,
      body: { item: { ...item('a', 'Kettle', 3499), image: '/images/items/kettle.svg' } },
    }),
    'GET /api/discounts/active': () => ({ status: 200, body: { discounts: [] } }),
  };

  it('adds the chosen quantity to the cart', async () => {
    fakeApi(itemApi);
    renderAt('/items/a');
    numberInput(await screen.findByLabelText('Quantity'), '3');
    await userEvent.click(screen.getByRole('button', { name: 'Add to cart' }));
    expect(screen.getByText(/Added to your cart\./)).toBeInTheDocument();
    expect(storedCart()).toEqual([
      { itemId: 'a', quantity: 3, name: 'Kettle', image: '/images/items/kettle.svg' },
    ]);
    expect(screen.getByRole('link', { name: 'Cart (3)' })).toBeInTheDocument();
  });

  it('brings a quantity above the maximum down to it, and says so', async () => {
    fakeApi(itemApi);
    renderAt('/items/a');
    const quantity = await screen.findByLabelText('Quantity');
    numberInput(quantity, '100000');
    expect(quantity).toHaveValue(100);
    expect(quantity).toHaveAccessibleDescription('You can order at most 100 of one item.');
    await userEvent.click(screen.getByRole('button', { name: 'Add to cart' }));
    expect(storedCart()).toMatchObject([{ itemId: 'a', quantity: 100 }]);
  });

  it('restores a quantity below 1 when the box is left, and says why', async () => {
    fakeApi(itemApi);
    renderAt('/items/a');
    const quantity = await screen.findByLabelText('Quantity');
    numberInput(quantity, '0');
    fireEvent.blur(quantity);
    expect(quantity).toHaveValue(1);
    expect(quantity).toHaveAccessibleDescription('The quantity is at least 1.');
    await userEvent.click(screen.getByRole('button', { name: 'Increase the quantity' }));
    expect(quantity).toHaveValue(2);
  });

  it('says when an item does not exist', async () => {
    fakeApi({ ...noSession });
    renderAt('/items/missing');
    expect(await screen.findByRole('heading', { name: 'Item not found' })).toBeInTheDocument();
  });
});

describe('register and log in', () => {
  it('shows field errors before sending anything', async () => {
    const { calls } = fakeApi({ ...noSession });
    renderAt('/register');
    await userEvent.type(await screen.findByLabelText('Email'), 'not-an-email');
    await userEvent.type(screen.getByLabelText('Password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription(
      'Enter an email address, like name@example.com.',
    );
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      'At least 10 characters. Use at least 10 characters.',
    );
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
    expect(calls.filter((call) => call.path === '/api/auth/register')).toHaveLength(0);
  });

  it('puts a taken email on the email field', async () => {
    fakeApi({
      ...noSession,
      'POST /api/auth/register': () => ({
        status: 409,
        body: { error: { code: 'EMAIL_TAKEN', message: 'taken' } },
      }),
    });
    renderAt('/register');
    await userEvent.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'a long password');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('An account with this email already exists.')).toBeInTheDocument();
  });

  it('registers, then logs in and shows who is logged in', async () => {
    fakeApi({
      ...noSession,
      'POST /api/auth/register': () => ({ status: 201, body: { user: session().user } }),
      'POST /api/auth/login': () => ({ status: 200, body: session() }),
      'GET /api/items': () => page([]),
      'GET /api/items/categories': () => ({ status: 200, body: { categories: [] } }),
      'GET /api/discounts/active': () => ({ status: 200, body: { discounts: [] } }),
    });
    const { address } = renderAt('/register');
    await userEvent.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'a long password');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('Your account is ready. Log in to continue.')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'a long password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('Ada')).toBeInTheDocument();
    expect(address()).toBe('/');
    expect(screen.queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
  });

  it('shows a wrong password as a form error', async () => {
    fakeApi({
      ...noSession,
      'POST /api/auth/login': () => ({
        status: 401,
        body: { error: { code: 'INVALID_CREDENTIALS', message: 'Email or password is incorrect' } },
      }),
    });
    renderAt('/login');
    await userEvent.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Email or password is incorrect');
  });
});

describe('cart', () => {
  const quote = (discountCents: number, code: string | null, quantity = 2) => ({
    lines: [
      {
        itemId: 'a',
        name: 'Kettle',
        unitPriceCents: 3499,
        quantity,
        lineSubtotalCents: 3499 * quantity,
        discountCents,
        lineTotalCents: 3499 * quantity - discountCents,
      },
    ],
    subtotalCents: 3499 * quantity,
    discountCents,
    totalCents: 3499 * quantity - discountCents,
    currency: 'EUR',
    appliedDiscounts: discountCents ? [{ id: 'd', code, description: 'Welcome', discountCents }] : [],
  });
  const invalidCode = {
    status: 422,
    body: { error: { code: 'INVALID_CODE', message: 'This discount code is not valid' } },
  };
  const inCart = (lines: unknown[]) => localStorage.setItem('platform.cart', JSON.stringify(lines));
  const total = () => screen.getByTestId('total');

  it('prices the cart live and applies a code', async () => {
    inCart([{ itemId: 'a', quantity: 2 }]);
    const { calls } = fakeApi({
      ...noSession,
      'POST /api/discounts/quote': ({ body }) => ({
        status: 200,
        body: (body as { code?: string }).code ? quote(700, 'WELCOME10') : quote(0, null),
      }),
    });
    renderAt('/cart');
    await waitFor(() => expect(total()).toHaveTextContent('€69.98'));
    expect(screen.getByRole('link', { name: 'Kettle' })).toHaveAttribute('href', '/items/a');
    await userEvent.type(screen.getByLabelText('Discount code'), 'welcome10');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(total()).toHaveTextContent('€62.98'));
    expect(screen.getByTestId('discount')).toHaveTextContent('−€7.00');
    expect(screen.getByText('WELCOME10 is applied.')).toBeInTheDocument();
    expect(calls.at(-1)?.body).toEqual({ lines: [{ itemId: 'a', quantity: 2 }], code: 'WELCOME10' });
  });

  it('keeps the applied code when another is refused, and says why', async () => {
    inCart([{ itemId: 'a', quantity: 2 }]);
    const { calls } = fakeApi({
      ...noSession,
      'POST /api/discounts/quote': ({ body }) => {
        const code = (body as { code?: string }).code;
        if (code === 'NOPE') return invalidCode;
        return { status: 200, body: code ? quote(700, code) : quote(0, null) };
      },
    });
    renderAt('/cart');
    await waitFor(() => expect(total()).toHaveTextContent('€69.98'));
    await userEvent.type(screen.getByLabelText('Discount code'), 'WELCOME10');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(total()).toHaveTextContent('€62.98'));

    await userEvent.type(screen.getByLabelText('Discount code'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    const field = screen.getByLabelText('Discount code');
    await waitFor(() => expect(field).toHaveAttribute('aria-invalid', 'true'));
    expect(field).toHaveAccessibleDescription(
      'This code is not valid: NOPE is unknown, has ended or has not started yet. WELCOME10 still applies.',
    );
    expect(total()).toHaveTextContent('€62.98');
    expect(screen.getByText('Code WELCOME10')).toBeInTheDocument();

    // The next price check still carries the code that applies.
    numberInput(screen.getByLabelText('Quantity of Kettle'), '3');
    await waitFor(() =>
      expect(calls.at(-1)?.body).toEqual({ lines: [{ itemId: 'a', quantity: 3 }], code: 'WELCOME10' }),
    );
  });

  it('keeps its lines while prices cannot be had, lets them be removed, and recovers', async () => {
    inCart([
      { itemId: 'a', quantity: 1, name: 'Kettle' },
      { itemId: 'b', quantity: 2, name: 'Teapot' },
    ]);
    let down = true;
    fakeApi({
      ...noSession,
      'POST /api/discounts/quote': () => (down ? unavailable() : { status: 200, body: quote(0, null, 1) }),
    });
    renderAt('/cart');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("We can't load your prices right now");
    expect(screen.getByRole('link', { name: 'Kettle' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Teapot' })).toBeInTheDocument();
    expect(total()).toHaveTextContent('—');

    await userEvent.click(screen.getByRole('button', { name: 'Remove Teapot' }));
    expect(screen.queryByRole('link', { name: 'Teapot' })).not.toBeInTheDocument();
    expect(storedCart()).toEqual([{ itemId: 'a', quantity: 1, name: 'Kettle' }]);

    down = false;
    await userEvent.click(
      within(await screen.findByRole('alert')).getByRole('button', { name: 'Try again' }),
    );
    await waitFor(() => expect(total()).toHaveTextContent('€34.99'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('keeps the last prices, marked out of date, when a later price check fails', async () => {
    inCart([{ itemId: 'a', quantity: 2, name: 'Kettle' }]);
    let down = false;
    fakeApi({
      ...noSession,
      'POST /api/discounts/quote': ({ body }) =>
        down
          ? unavailable()
          : {
              status: 200,
              body: quote(0, null, (body as { lines: { quantity: number }[] }).lines[0]?.quantity),
            },
    });
    renderAt('/cart');
    await waitFor(() => expect(total()).toHaveTextContent('€69.98'));

    down = true;
    numberInput(screen.getByLabelText('Quantity of Kettle'), '3');
    const stale = await screen.findByRole('alert');
    expect(stale).toHaveTextContent(
      "We couldn't update your prices, so the totals below may be out of date.",
    );
    expect(total()).toHaveTextContent('€69.98');
    expect(screen.getByRole('link', { name: 'Kettle' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove Kettle' })).toBeEnabled();

    down = false;
    await userEvent.click(within(stale).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(total()).toHaveTextContent('€104.97'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('brings a quantity above 100 down to 100 with a message, and prices that', async () => {
    inCart([{ itemId: 'a', quantity: 2 }]);
    const { calls } = fakeApi({
      ...noSession,
      'POST /api/discounts/quote': ({ body }) => ({
        status: 200,
        body: quote(0, null, (body as { lines: { quantity: number }[] }).lines[0]?.quantity),
      }),
    });
    renderAt('/cart');
    const quantity = await screen.findByLabelText('Quantity of Kettle');
    await waitFor(() => expect(total()).toHaveTextContent('€69.98'));
    numberInput(quantity, '100000');
    expect(quantity).toHaveValue(100);
    expect(quantity).toHaveAccessibleDescription('You can order at most 100 of one item.');
    await waitFor(() => expect(total()).toHaveTextContent('€3,499.00'));
    expect(calls.at(-1)?.body).toEqual({ lines: [{ itemId: 'a', quantity: 100 }] });
  });

  it('drops items that no longer exist and says so', async () => {
    inCart([
      { itemId: 'a', quantity: 2 },
      { itemId: 'gone', quantity: 1 },
    ]);
    fakeApi({
      ...noSession,
      'POST /api/discounts/quote': ({ body }) =>
        (body as { lines: unknown[] }).lines.length > 1
          ? {
              status: 422,
              body: { error: { code: 'UNKNOWN_ITEM', message: 'no', details: { itemIds: ['gone'] } } },
            }
          : { status: 200, body: quote(0, null) },
    });
    renderAt('/cart');
    expect(
      await screen.findByText('An item in your cart no longer exists and was removed.'),
    ).toBeInTheDocument();
    await waitFor(() => expect(total()).toHaveTextContent('€69.98'));
    // The name from the quote is remembered, for when prices cannot be had.
    await waitFor(() => expect(storedCart()).toEqual([{ itemId: 'a', quantity: 2, name: 'Kettle' }]));
  });

  it('says an empty cart is empty', async () => {
    fakeApi({ ...noSession });
    renderAt('/cart');
    expect(await screen.findByText('Your cart is empty.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Browse the catalog' })).toHaveAttribute('href', '/');
  });
});

describe('admin', () => {
  const admin = { 'POST /api/auth/refresh': () => ({ status: 200, body: session(['user', 'admin']) }) };
  const discountList = (discounts: unknown[]) => ({ status: 200, body: { discounts } });

  it('sends a visitor without a session to the login page', async () => {
    fakeApi({ ...noSession });
    const { address } = renderAt('/admin');
    expect(await screen.findByRole('heading', { level: 1, name: 'Log in' })).toBeInTheDocument();
    expect(address()).toBe('/login');
  });

  it('is refused to a user who is not an admin', async () => {
    fakeApi({ 'POST /api/auth/refresh': () => ({ status: 200, body: session(['user']) }) });
    renderAt('/admin');
    expect(await screen.findByRole('alert')).toHaveTextContent('This area is for administrators.');
  });

  it('lists items in a table it searches and pages through the API', async () => {
    const { calls } = fakeApi({
      ...admin,
      'GET /api/items': ({ url }) =>
        page([item('a', url.searchParams.get('q') ? 'Desk Lamp' : 'Kettle', 3499)], 45),
      'GET /api/discounts': () => discountList([]),
    });
    renderAt('/admin');
    const table = await screen.findByRole('table', { name: 'Items, page 1 of 3' });
    expect(within(table).getByRole('rowheader', { name: 'Kettle' })).toBeInTheDocument();
    expect(within(table).getByText('€34.99')).toBeInTheDocument();
    await userEvent.click(
      within(screen.getByRole('navigation', { name: 'Item pages' })).getByRole('button', { name: 'Next' }),
    );
    await screen.findByRole('table', { name: 'Items, page 2 of 3' });
    // The search box, still empty once its pause has passed, leaves the page where it is.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(screen.getByRole('table', { name: 'Items, page 2 of 3' })).toBeInTheDocument();
    expect(calls.some((call) => call.path.startsWith('/api/items?') && call.path.includes('page=2'))).toBe(
      true,
    );
    await userEvent.type(screen.getByLabelText('Search items'), 'lamp');
    expect(await screen.findByRole('rowheader', { name: 'Desk Lamp' })).toBeInTheDocument();
    const searched = calls.filter((call) => call.path.includes('q=lamp'));
    // Debounced: one request for the whole word, from the first page.
    expect(searched).toHaveLength(1);
    expect(searched[0]?.path).toContain('page=1');
  });

  it('lets an admin create an item, with field errors for a bad price', async () => {
    const { calls } = fakeApi({
      ...admin,
      'GET /api/items': () => page([item('a', 'Kettle', 3499)]),
      'GET /api/discounts': () => discountList([]),
      'POST /api/items': () => ({ status: 201, body: { item: item('b', 'Teapot', 2500) } }),
    });
    renderAt('/admin');
    expect(await screen.findByRole('link', { name: 'Admin' })).toBeInTheDocument();
    await userEvent.click(await screen.findByRole('button', { name: 'New item' }));
    const form = await screen.findByRole('form', { name: 'New item' });
    expect(within(form).getByLabelText('Name')).toHaveFocus();
    await userEvent.type(within(form).getByLabelText('Name'), 'Teapot');
    await userEvent.type(within(form).getByLabelText('Price'), 'cheap');
    await userEvent.type(within(form).getByLabelText('Category'), 'kitchen');
    await userEvent.click(within(form).getByRole('button', { name: 'Create item' }));
    expect(within(form).getByLabelText('Price')).toHaveAccessibleDescription(
      'Such as 12.50 Enter a price such as 12.50, up to 1,000,000.00.',
    );
    // Focus goes to the first field in error, which may be out of sight above the button.
    await waitFor(() => expect(within(form).getByLabelText('Price')).toHaveFocus());
    expect(calls.some((call) => call.method === 'POST' && call.path === '/api/items')).toBe(false);
    await userEvent.clear(within(form).getByLabelText('Price'));
    await userEvent.type(within(form).getByLabelText('Price'), '25');
    await userEvent.click(within(form).getByRole('button', { name: 'Create item' }));
    expect(await screen.findByText('Item created.')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'New item' })).not.toBeInTheDocument();
    const created = calls.find((call) => call.method === 'POST' && call.path === '/api/items');
    expect(created?.body).toMatchObject({
      name: 'Teapot',
      priceCents: 2500,
      currency: 'EUR',
      category: 'kitchen',
      stock: 0,
    });
    expect(created?.authorization).toBe('Bearer token-user-admin');
  });

  it('puts the API’s field errors next to their fields, in plain words', async () => {
    fakeApi({
      ...admin,
      'GET /api/items': () => page([item('a', 'Kettle', 3499)]),
      'GET /api/discounts': () => discountList([]),
      'PATCH /api/items/a': () => ({
        status: 400,
        body: {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'Request validation failed',
            details: [{ location: 'body', path: 'currency', message: 'Invalid ISO 4217 currency code' }],
          },
        },
      }),
    });
    renderAt('/admin');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit Kettle' }));
    const form = await screen.findByRole('form', { name: 'Edit Kettle' });
    expect(within(form).getByLabelText('Price')).toHaveValue('34.99');
    await userEvent.clear(within(form).getByLabelText('Currency'));
    await userEvent.type(within(form).getByLabelText('Currency'), 'XYZ');
    await userEvent.click(within(form).getByRole('button', { name: 'Save item' }));
    await waitFor(() =>
      expect(within(form).getByLabelText('Currency')).toHaveAccessibleDescription(
        'Enter a three-letter currency code, such as EUR.',
      ),
    );
    expect(within(form).getByLabelText('Currency')).toHaveFocus();
    expect(within(form).getByLabelText('Currency')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByText(/Invalid ISO 4217/)).not.toBeInTheDocument();
  });

  it('checks a discount before sending it, in plain words', async () => {
    const { calls } = fakeApi({
      ...admin,
      'GET /api/items': () => page([]),
      'GET /api/discounts': () => discountList([]),
    });
    renderAt('/admin');
    await userEvent.click(await screen.findByRole('button', { name: 'New discount' }));
    const form = await screen.findByRole('form', { name: 'New discount' });
    await userEvent.type(within(form).getByLabelText('Description'), 'Spring');
    await userEvent.type(within(form).getByLabelText('Percent'), '0');
    await userEvent.type(within(form).getByLabelText('Code'), 'x');
    await userEvent.click(within(form).getByRole('button', { name: 'Create discount' }));
    expect(within(form).getByLabelText('Percent')).toHaveAccessibleDescription(
      'From 1 to 100 Enter a percentage between 1 and 100.',
    );
    expect(within(form).getByLabelText('Code')).toHaveAccessibleDescription(
      'Empty for an automatic discount Use 3 to 32 letters, digits or dashes, or leave it empty for an automatic discount.',
    );
    expect(calls.some((call) => call.method === 'POST' && call.path === '/api/discounts')).toBe(false);
  });

  it('lists discounts in a table it searches and pages through the API', async () => {
    const { calls } = fakeApi({
      ...admin,
      'GET /api/items': () => page([]),
      'GET /api/discounts': ({ url }) => {
        const q = url.searchParams.get('q');
        const pageNumber = Number(url.searchParams.get('page'));
        const description = q ? 'Spring sale' : `Offer ${pageNumber}`;
        return {
          status: 200,
          body: {
            discounts: [{ ...kitchenWeek, id: `d${pageNumber}`, description }],
            page: pageNumber,
            limit: 20,
            total: q ? 1 : 25,
          },
        };
      },
    });
    renderAt('/admin');
    const table = await screen.findByRole('table', { name: 'Discounts, page 1 of 2' });
    expect(within(table).getByRole('rowheader', { name: 'Offer 1' })).toBeInTheDocument();
    expect(screen.getByText('25 discounts')).toBeInTheDocument();
    await userEvent.click(
      within(screen.getByRole('navigation', { name: 'Discount pages' })).getByRole('button', {
        name: 'Next',
      }),
    );
    expect(await screen.findByRole('table', { name: 'Discounts, page 2 of 2' })).toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: 'Offer 2' })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Search discounts'), 'spring');
    expect(await screen.findByRole('rowheader', { name: 'Spring sale' })).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Discounts, page 1 of 1' })).toBeInTheDocument();
    expect(screen.queryByRole('navigation', { name: 'Discount pages' })).not.toBeInTheDocument();
    const searched = calls.filter(
      (call) => call.path.startsWith('/api/discounts?') && call.path.includes('q=spring'),
    );
    expect(searched).toHaveLength(1);
    expect(searched[0]?.path).toContain('page=1');
  });

  it('says when a discount code is taken, next to the code', async () => {
    fakeApi({
      ...admin,
      'GET /api/items': () => page([]),
      'GET /api/discounts': () => discountList([]),
      'POST /api/discounts': () => ({
        status: 409,
        body: { error: { code: 'CODE_TAKEN', message: 'A discount with this code exists' } },
      }),
    });
    renderAt('/admin');
    await userEvent.click(await screen.findByRole('button', { name: 'New discount' }));
    const form = await screen.findByRole('form', { name: 'New discount' });
    await userEvent.type(within(form).getByLabelText('Description'), 'Welcome');
    await userEvent.type(within(form).getByLabelText('Percent'), '10');
    await userEvent.type(within(form).getByLabelText('Code'), 'welcome10');
    await userEvent.click(within(form).getByRole('button', { name: 'Create discount' }));
    await waitFor(() =>
      expect(within(form).getByLabelText('Code')).toHaveAccessibleDescription(
        'Empty for an automatic discount Another discount already uses this code.',
      ),
    );
    expect(within(form).getByRole('button', { name: 'Create discount' })).toBeEnabled();
  });

  it('edits a discount', async () => {
    let stored = { ...kitchenWeek };
    const { calls } = fakeApi({
      ...admin,
      'GET /api/items': () => page([]),
      'GET /api/discounts': () => discountList([stored]),
      'PATCH /api/discounts/d1': ({ body }) => {
        stored = { ...stored, ...(body as object), percentOff: 20 };
        return { status: 200, body: { discount: stored } };
      },
    });
    renderAt('/admin');
    const table = await screen.findByRole('table', { name: 'Discounts, page 1 of 1' });
    expect(within(table).getByText('15% off')).toBeInTheDocument();
    expect(within(table).getByText('on kitchen')).toBeInTheDocument();
    await userEvent.click(within(table).getByRole('button', { name: 'Edit Kitchen week' }));
    const form = await screen.findByRole('form', { name: 'Edit Kitchen week' });
    expect(within(form).getByLabelText('Category')).toHaveValue('kitchen');
    await userEvent.clear(within(form).getByLabelText('Percent'));
    await userEvent.type(within(form).getByLabelText('Percent'), '20');
    await userEvent.click(within(form).getByRole('button', { name: 'Save discount' }));
    expect(await screen.findByText('Saved Kitchen week.')).toBeInTheDocument();
    expect(calls.find((call) => call.method === 'PATCH')?.body).toEqual({
      code: null,
      description: 'Kitchen week',
      percentOff: 20,
      amountOffCents: null,
      appliesTo: { type: 'category', category: 'kitchen' },
      startsAt: null,
      endsAt: null,
      active: true,
    });
    expect(await within(table).findByText('20% off')).toBeInTheDocument();
  });

  it('asks before deleting, and deletes only when confirmed', async () => {
    let items = [item('a', 'Kettle', 3499), item('b', 'Teapot', 2500)];
    const { calls } = fakeApi({
      ...admin,
      'GET /api/items': () => page(items),
      'GET /api/discounts': () => discountList([]),
      'DELETE /api/items/a': () => {
        items = items.filter((entry) => entry.id !== 'a');
        return { status: 204 };
      },
    });
    renderAt('/admin');
    await userEvent.click(await screen.findByRole('button', { name: 'Delete Kettle' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete Kettle?' });
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Delete Kettle' }));
    await userEvent.click(
      within(await screen.findByRole('dialog', { name: 'Delete Kettle?' })).getByRole('button', {
        name: 'Delete',
      }),
    );
    expect(await screen.findByText('Deleted Kettle.')).toBeInTheDocument();
    expect(calls.filter((call) => call.method === 'DELETE').map((call) => call.path)).toEqual([
      '/api/items/a',
    ]);
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: 'Kettle' })).not.toBeInTheDocument());
    expect(screen.getByRole('rowheader', { name: 'Teapot' })).toBeInTheDocument();
  });
});
