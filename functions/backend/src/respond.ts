// The backend's HTTP behaviour, free of any server framework: a method in, a Reply out.
import type { CounterService } from './counter-service.ts';
import { methodNotAllowed, type Reply, textReply } from './lib/http.ts';

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST'] as const;

export async function respond(service: CounterService, method: string): Promise<Reply> {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return textReply(200, `${await service.read()}\n`);
    case 'POST':
      return textReply(200, `${await service.increase()}\n`);
    default:
      return methodNotAllowed(method, ALLOWED_METHODS);
  }
}
