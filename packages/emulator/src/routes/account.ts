import type { AuthResult, CreditsInfo, UserInfoResponse } from '@gm/transport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Handler, type RouteContext, unauthorized } from './context.js';

/** Handlers of the account: `POST /auth`, `GET /credits-info`, `GET /user-info`. */
export function accountRoutes(ctx: RouteContext): Record<string, Handler> {
  return {
    async authenticate(req: FastifyRequest, reply: FastifyReply) {
      // The contract's AuthRequest (its anyOf of AccessKey or Password generates as unknown).
      const body = req.body as { Username: string; AccessKey?: string; Password?: string };
      const user = ctx.users.find((u) => u.email.toLowerCase() === body.Username.trim().toLowerCase());
      const keyOk = body.AccessKey === undefined || body.AccessKey === user?.accessKey;
      const passwordOk =
        body.Password === undefined || (user?.password !== '' && body.Password === user?.password);
      if (!user || !keyOk || !passwordOk) return unauthorized(reply, 'Invalid credentials');
      ctx.state().currentUser = user.email;
      ctx.runtime.store.save();
      const result: AuthResult = { Message: `Authenticated as ${user.email}`, Email: user.email };
      return reply.code(200).send(result);
    },
    async getCreditsInfo(_req: FastifyRequest, reply: FastifyReply) {
      const me = ctx.current(reply);
      if (!me) return reply;
      const credits: CreditsInfo = {
        credits_available: me.balance.credits_available,
        credits_consumed: me.balance.credits_consumed,
      };
      return credits;
    },
    async getUserInfo(_req: FastifyRequest, reply: FastifyReply) {
      const me = ctx.current(reply);
      if (!me) return reply;
      const { user, balance } = me;
      const info: UserInfoResponse = {
        data: {
          created: user.created,
          credits_available: balance.credits_available,
          credits_consumed: balance.credits_consumed,
          email_address: user.email,
          job_throughput_limit: user.jobThroughputLimit,
          max_throughput: user.maxThroughput,
          name: user.name,
          service_plan: user.servicePlan,
        },
      };
      return info;
    },
  };
}
