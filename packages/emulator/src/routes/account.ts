import type { RouteContext } from './context.js';
import { answer, type Handlers } from './handlers.js';

/** Handlers of the account: `POST /auth`, `GET /credits-info`, `GET /user-info`. */
export function accountRoutes(
  ctx: RouteContext,
): Pick<Handlers, 'authenticate' | 'getCreditsInfo' | 'getUserInfo'> {
  return {
    async authenticate(req) {
      const body = req.body;
      const user = ctx.users.find((u) => u.email.toLowerCase() === body.Username.trim().toLowerCase());
      const keyOk = body.AccessKey === undefined || body.AccessKey === user?.accessKey;
      const passwordOk =
        body.Password === undefined || (user?.password !== '' && body.Password === user?.password);
      if (!user || !keyOk || !passwordOk) return answer.unauthorized('Invalid credentials');
      ctx.state().currentUser = user.email;
      ctx.runtime.store.save();
      return { status: 200, json: { Message: `Authenticated as ${user.email}`, Email: user.email } };
    },
    async getCreditsInfo() {
      const me = ctx.current();
      if (!me) return answer.unauthorized();
      return {
        status: 200,
        json: {
          credits_available: me.balance.credits_available,
          credits_consumed: me.balance.credits_consumed,
        },
      };
    },
    async getUserInfo() {
      const me = ctx.current();
      if (!me) return answer.unauthorized();
      const { user, balance } = me;
      return {
        status: 200,
        json: {
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
        },
      };
    },
  };
}
