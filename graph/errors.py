"""Errors raised by the graph layer.

GraphError               anything about building or running the graph
├── RequestError         a request is empty, too large or not valid text (nothing is stored)
├── CheckpointerError    a checkpoint URL is malformed or its store cannot be opened
└── BudgetExceeded       a request spent its model-call or token budget (a human takes over)
"""


class GraphError(Exception):
    """Base class; the message is written for the user."""


class RequestError(GraphError):
    """The request cannot be accepted as it is."""


class CheckpointerError(GraphError):
    """The checkpoint store named by a URL cannot be used."""


class BudgetExceeded(GraphError):
    """The request's model budget is spent; no further model call is made for it."""
