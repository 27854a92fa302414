"""The HTTP API and the web review queue (FastAPI).

app.py        create_app(settings, runner=None): routes, error handlers, body limit, start-up
deps.py       Annotated dependencies: the runner, accounts, the signed-in user, role checks
schemas.py    pydantic bodies and answers (the OpenAPI document is made from them)
errors.py     how errors become 4xx answers with a clear message
ratelimit.py  per-token token buckets, in process
progress.py   live progress of runs (the runner's on_event hook) and the SSE stream
decisions.py  a reviewer's form or body → the review queue's decision value
routes/       one module per resource: threads, reviews, agents, audit, health, meta
web.py        the server-rendered review queue under /ui (templates/, static/)
"""
