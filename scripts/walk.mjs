#!/usr/bin/env node
// A walk through the running platform (`npm start` first): register, log in, list items, and
// quote two items with the seeded code WELCOME10. It checks the quote against totals computed
// here from the listed prices and the seeded rules, and exits 1 on any difference.
const AUTH = process.env.AUTH_URL ?? 'http://127.0.0.1:3001';
const ITEMS = process.env.ITEMS_URL ?? 'http://127.0.0.1:3002';
const DISCOUNTS = process.env.DISCOUNTS_URL ?? 'http://127.0.0.1:3003';

async function call(method, url, body, headers = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function step(title, response, show) {
  console.log(`\n${title} -> ${response.status}`);
  console.log(JSON.stringify(show(response.body), null, 2));
}

const email = `walker.${Date.now()}@example.com`;
const password = 'a long enough password';

const registered = await call('POST', `${AUTH}/api/auth/register`, { email, password, name: 'Walker' });
step('1. register', registered, (body) => body);
const login = await call('POST', `${AUTH}/api/auth/login`, { email, password });
step('2. login', login, (body) => ({ ...body, accessToken: `${body.accessToken.slice(0, 24)}…` }));
const me = await call('GET', `${AUTH}/api/auth/me`, undefined, {
  authorization: `Bearer ${login.body.accessToken}`,
});
step('3. me', me, (body) => body);
const page = await call('GET', `${ITEMS}/api/items?limit=5`);
step('4. list items (first page of 5)', page, (body) => ({
  total: body.total,
  items: body.items.map((item) => `${item.name} (${item.category}) ${item.priceCents} ${item.currency}`),
}));
const kitchen = await call('GET', `${ITEMS}/api/items?category=kitchen&q=kettle`);
const office = await call('GET', `${ITEMS}/api/items?category=office&q=keyboard`);
const [kettle, keyboard] = [kitchen.body.items[0], office.body.items[0]];
const lines = [
  { itemId: kettle.id, quantity: 2 },
  { itemId: keyboard.id, quantity: 1 },
];
const quote = await call('POST', `${DISCOUNTS}/api/discounts/quote`, { lines, code: 'welcome10' });
step('5. quote 2 x kettle + 1 x keyboard with code welcome10', quote, (body) => body);

// Expected by hand: the kettle (kitchen) gets the larger of the automatic 15% and the code's 10%;
// the keyboard (office) only the code's 10%. Percentages round half up per line.
const roundHalfUp = (value, divisor) => Math.floor((2 * value + divisor) / (2 * divisor));
const kettleSubtotal = kettle.priceCents * 2;
const keyboardSubtotal = keyboard.priceCents;
const expectedDiscount = roundHalfUp(kettleSubtotal * 15, 100) + roundHalfUp(keyboardSubtotal * 10, 100);
const expected = {
  subtotalCents: kettleSubtotal + keyboardSubtotal,
  discountCents: expectedDiscount,
  totalCents: kettleSubtotal + keyboardSubtotal - expectedDiscount,
};
const actual = {
  subtotalCents: quote.body.subtotalCents,
  discountCents: quote.body.discountCents,
  totalCents: quote.body.totalCents,
};
const ok =
  registered.status === 201 &&
  login.status === 200 &&
  me.status === 200 &&
  quote.status === 200 &&
  JSON.stringify(actual) === JSON.stringify(expected);
console.log(
  `\nexpected ${JSON.stringify(expected)}\nactual   ${JSON.stringify(actual)}\n${ok ? 'walk: OK' : 'walk: MISMATCH'}`,
);
process.exit(ok ? 0 : 1);
