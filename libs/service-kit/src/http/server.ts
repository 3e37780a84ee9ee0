import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import type { Express } from 'express';

/**
 * An HTTP server for an Express app whose requests and responses are born with the app's
 * prototypes. Express gives every request and response the app's prototype as it arrives
 * (`Object.setPrototypeOf`), and V8 serves an object whose prototype changed after it was made on
 * slower paths in every later layer. Here the app's prototypes are the prototypes of two
 * subclasses the server constructs, so Express's change is a no-op.
 */
export function createAppServer(app: Express): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  adoptPrototype(AppRequest.prototype, app.request);
  adoptPrototype(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as Express['request'];
  app.response = AppResponse.prototype as Express['response'];
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}

/** Makes `target` stand in for Express's per-app prototype: its properties, then Express's methods. */
function adoptPrototype(target: object, expressPrototype: object): void {
  Object.setPrototypeOf(target, Object.getPrototypeOf(expressPrototype) as object);
  Object.defineProperties(target, Object.getOwnPropertyDescriptors(expressPrototype));
}
