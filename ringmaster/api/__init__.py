"""The HTTP API and the web review queue (FastAPI).

app.py        create_app(settings, runner=None): routes, error handlers, body limit, start-up
deps.py       Annotated dependencies: the runner, accounts, the signed-in user, role checks
schemas.py    pydantic bodies and answers (the OpenAPI document is made from them)
errors.py     how errors become RFC 9457 problem answers with stable codes
ratelimit.py  per-token rate limits in the app's database, shared by every process
middleware.py request ids, security headers, access log; the body limit
pagination.py cursors of the list answers
tracing.py    optional OpenTelemetry tracing (the otel extra)
progress.py   live progress of runs (the runner's on_event hook) and the SSE stream (sse-starlette)
decisions.py  a reviewer's form or body → the review queue's decision value
routes/       one module per resource: threads, reviews, agents, audit, health, meta
web.py        the server-rendered review queue under /ui (templates/, static/)
"""
