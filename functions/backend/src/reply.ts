// The backend's HTTP behaviour, free of any server framework: a CoreRequest in, a Reply out.
import type { CounterService } from './counter-service.ts';
import { type CoreRequest, methodNotAllowed, type Reply, textReply } from './lib/http.ts';

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST'] as const;

export async function replyTo(service: CounterService, { method, hasBody }: CoreRequest): Promise<Reply> {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return textReply(200, `${await service.read()}\n`);
    case 'POST':
      // Nothing sets the counter: an increase takes no body, and a request with one is refused.
      if (hasBody) return textReply(400, 'POST takes no body: it only adds one to the counter.\n');
      return textReply(200, `${await service.increase()}\n`);
    default:
      return methodNotAllowed(method, ALLOWED_METHODS);
  }
}
