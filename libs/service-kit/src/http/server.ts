import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import type { Express } from 'express';

/**
 * An HTTP server for an Express app whose requests and responses are created with the app's own
 * prototypes. Express gives every request and response the app's prototype as it arrives
 * (`Object.setPrototypeOf`); V8 serves an object whose prototype changed after it was made on
 * slower paths in every later layer. Made with that prototype from the start, Express's change is
 * a no-op.
 */
export function createAppServer(app: Express): Server {
  // Node passes its own arguments (the socket; the request and stream options): all are forwarded.
  function AppRequest(...args: unknown[]): IncomingMessage {
    return Reflect.construct(IncomingMessage, args, AppRequest) as IncomingMessage;
  }
  AppRequest.prototype = app.request;
  function AppResponse(...args: unknown[]): ServerResponse {
    return Reflect.construct(ServerResponse, args, AppResponse) as ServerResponse;
  }
  AppResponse.prototype = app.response;
  return createServer(
    {
      IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
      ServerResponse: AppResponse as unknown as typeof ServerResponse,
    },
    app,
  );
}
