// A stand-in for Envoy in its own process, for the submit benchmark: answers POST /auth, GET /credits-info and
// POST /project-submit at once (reading each body whole, parsing none), and GET /_last with what the last submit
// held (parsed then, outside the timed runs). Prints its port on stdout.
import { createServer } from 'node:http';

let last = '';
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const send = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const route = `${request.method} ${request.url}`;
    if (route === 'POST /auth') return send(200, { message: 'ok' });
    if (route === 'GET /credits-info') return send(200, { credits_available: 1000, credits_reserved: 0 });
    if (route === 'POST /project-submit') {
      last = Buffer.concat(chunks);
      return send(200, { message: 'submitted' });
    }
    if (route === 'GET /_last') {
      const body = last.length ? JSON.parse(last.toString('utf8')) : {};
      return send(200, {
        bytes: last.length,
        files: body.project_files?.files?.length ?? 0,
        skip_upload: body.skip_upload === true,
        jobs: body.project_request?.jobs?.length ?? 0,
      });
    }
    send(404, { message: `no route ${route}` });
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('disconnect', () => process.exit(0));
