"""The local planner: the embedded default supervisor, a classifier instead of a model.

It splits a request into parts, routes each part with a calibrated classifier trained on the
team's example requests, and escalates to a person whatever it is unsure of. Each of those jobs
has its module, whose docstring says how it was chosen and what it measured:

- `segmenting`: gluing over-segmented candidates (`splitter.split_request`) back into parts, by
  the team's learned cutter (`cutter`) or the fixed rules of `cut_rules`; quoted replies.
- `envelope`: an email's opening courtesies and its sign-off, and a ticket's title line, kept
  out of splitting and routing.
- `routing`: each part's agent, or why it goes to a person; the plan's subtasks.
- `local_model`: the fitted model, its cache key, and where it comes from (cache, shipped,
  trained here).
- `settings`: what is tunable apart from the team's routing thresholds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ringmaster.agents.spec import Team
from ringmaster.graph.planner import local_model
from ringmaster.graph.planner.background import part_at
from ringmaster.graph.planner.base import Alternative, Plan, Subtask
from ringmaster.graph.planner.cut_rules import Part
from ringmaster.graph.planner.cutter import Cutter
from ringmaster.graph.planner.embedding_config import embeddings_available
from ringmaster.graph.planner.envelope import (
    ListHeading,
    courtesy,
    greeting,
    list_heading,
    sign_off,
    ticket_title,
)
from ringmaster.graph.planner.local_model import (
    CLASSIFIERS,
    CUTTER_CODE,
    FEATURES_VERSION,
    MODEL_FORMAT,
    SHIPPED_MODELS,
    TFIDF_CODE,
    model_document,
)
from ringmaster.graph.planner.no_ask import REASON as NO_ASK
from ringmaster.graph.planner.no_ask import asks_nothing
from ringmaster.graph.planner.quoting import InlineReply, inline_reply
from ringmaster.graph.planner.routing import (
    Routed,
    assemble,
    human_score,
    route,
    with_context_before,
    with_quoted,
)
from ringmaster.graph.planner.scoring import Scores, TextClassifier
from ringmaster.graph.planner.segmenting import Segmenter
from ringmaster.graph.planner.settings import LocalPlannerSettings, SplitPolicy
from ringmaster.graph.planner.splitter import split_request

# What this module has always offered; the definitions live in the modules above.
__all__ = [
    "CLASSIFIERS",
    "CUTTER_CODE",
    "FEATURES_VERSION",
    "MODEL_FORMAT",
    "SHIPPED_MODELS",
    "TFIDF_CODE",
    "LocalPlanner",
    "LocalPlannerSettings",
    "SplitPolicy",
    "human_score",
    "model_document",
]

log = logging.getLogger(__name__)


class LocalPlanner:
    """Plans with a classifier trained on the team's examples; needs no model and no network."""

    name = "local"

    def __init__(
        self,
        team: Team,
        *,
        cache_dir: Path | None = None,
        settings: LocalPlannerSettings | None = None,
    ) -> None:
        self.team = team
        self.settings = settings or LocalPlannerSettings()
        self.kind = self._resolve_kind()
        self.routing = team.routing.for_classifier(self.kind)
        self.learns_split = local_model.learns_split(team, self.settings)
        learned = self.learns_split
        self.cache_path = (
            local_model.cache_path(cache_dir, team, self.settings, self.kind, learned)
            if cache_dir
            else None
        )
        model, self.trained = local_model.load_or_train(
            team, self.settings, self.kind, learned, self.cache_path
        )
        self.classifier: TextClassifier = model.classifier
        self.cutter: Cutter | None = model.cutter if self.learns_split else None
        self._batch: dict[str, Scores] = {}  # whole requests scored by `prepare`
        # The ids of the records the team's requests name (`entities`), to tell two asks for one
        # agent apart (`cut_rules.two_asks`); None when the team declares none.
        patterns = [f"(?:{e.pattern})" for e in team.entities.values()]
        self._ids = "|".join(patterns) if patterns else None
        self._records = re.compile(self._ids) if self._ids else None

    def plan(
        self, request: str, *, allowed_agents: Sequence[str] | None = None, context: str = ""
    ) -> Plan:
        text = request.strip()
        if not text:
            raise ValueError("the request is empty")
        allowed = set(self.team.names()) if allowed_agents is None else set(allowed_agents)
        if asks_nothing(text):
            return Plan(subtasks=assemble([self._for_a_person(text, allowed)]), planner=self.name)
        segmenter = self._segmenter()
        inline = inline_reply(text)
        if inline is not None:
            return self._plan_inline(inline, segmenter, allowed)
        reading = segmenter.newest_ask(text)
        body, signature = sign_off(reading.text)
        body, title = ticket_title(body, self._ids)
        body, opening = courtesy(body)
        body, heading = list_heading(body)
        # A greeting line of its own ("Good morning,") says nothing of what is asked, but its
        # words route ("morning" to a person): taken off and put back on the first subtask. One
        # that names an agent ("Hi legal team,") addresses the ask and stays.
        hello, rest = greeting(body)
        if hello and not any(re.search(rf"\b{re.escape(a)}\b", hello, re.I) for a in allowed):
            body = rest
        else:
            hello = ""
        body, background = segmenter.background(body)
        rest, context = segmenter.opening_context(body)
        # where the background's places moved to: the opening context is a head taken off
        shift = body.rfind(rest)
        body = rest
        segments = split_request(body)
        whole = self._score([body])[0] if len(segments) > 1 else None
        parts = segmenter.segment(segments, whole)
        routed = [route(p, allowed, self.routing, self.settings) for p in parts]
        subtasks = assemble(routed)
        # What was taken off goes back innermost first, so it ends in the message's order. Not
        # a stack of (take, put back) pairs: the list heading is taken before the greeting
        # above it, and the background and the heading go back by where they stood among the
        # parts, which exist only now.
        if context:
            subtasks = with_quoted(subtasks, context, True)
        # each above the subtask it came before (the last first), or under the last in order
        for paragraph in [b for b in background if b.before is not None][::-1] + [
            b for b in background if b.before is None
        ]:
            at = paragraph.before
            i = None if at is None else part_at(parts, body, at - shift)
            subtasks = with_context_before(subtasks, paragraph.text, i)
        if heading is not None and heading.governs:
            subtasks = _with_heading(subtasks, heading, parts, body)
        if hello:
            subtasks = with_quoted(subtasks, hello, True)
        if opening:
            subtasks = with_quoted(subtasks, opening, True)
        if title:
            subtasks = with_quoted(subtasks, title, True)
        if signature:
            subtasks = with_quoted(subtasks, signature, False)
        if reading.quoted is not None:
            subtasks = with_quoted(subtasks, reading.quoted, reading.quoted_first)
        return Plan(subtasks=subtasks, planner=self.name)

    def _plan_inline(self, inline: InlineReply, segmenter: Segmenter, allowed: set[str]) -> Plan:
        """An inline reply planned answer by answer (`Segmenter.answers`): the writer's opening
        lines ("Hi Tomas, answers inline.") and the quoted paragraphs go with the first subtask
        as context, the sign-off under the last answer with the last."""
        answers = list(inline.answers)
        quote, last = answers[-1]
        last, signature = sign_off(last)
        answers[-1] = (quote, last)
        asked = [(q, a) for q, a in answers if a.strip()]
        parts = segmenter.answers(asked)
        subtasks = assemble([route(p, allowed, self.routing, self.settings) for p in parts])
        history = "\n\n".join(q for q, _ in answers)
        if signature:
            subtasks = with_quoted(subtasks, signature, False)
        if inline.opening:
            history = f"{inline.opening}\n\n{history}"
        return Plan(subtasks=with_quoted(subtasks, history, True), planner=self.name)

    def _for_a_person(self, text: str, allowed: set[str]) -> Routed:
        """The whole message as one part for a person, with the agent it would have gone to
        first among the alternatives (the eval scores that route; a reviewer sees it)."""
        part = Part(text, None, False, self._score([text])[0], first=True)
        routed = route(part, allowed, self.routing, self.settings)
        would = [Alternative(agent=routed.agent, score=routed.confidence)] if routed.agent else []
        return replace(
            routed,
            agent=None,
            confidence=0.0,
            alternatives=(would + routed.alternatives)[: self.settings.max_alternatives],
            escalation=NO_ASK,
            kind="asks_nothing",
        )

    def _segmenter(self) -> Segmenter:
        # Made per plan from the planner's current settings, classifier and cutter (tests and
        # evals swap those on a built planner).
        return Segmenter(self.settings.split, self._score, self._records, self.cutter)

    def prepare(self, requests: Sequence[str]) -> None:
        """Score many requests in one batch before planning them one by one (evals, imports).

        Only the latest batch is kept: planning a request of it then scores the whole request and
        its candidate parts from memory (only glued parts are scored then); nothing else changes,
        and a later call replaces the batch.
        """
        wholes = [r.strip() for r in requests if r.strip()]
        texts = list(dict.fromkeys(wholes))
        for whole in wholes:
            segments = split_request(whole)
            if len(segments) > 1:
                texts.extend(s.text for s in segments)
        texts = list(dict.fromkeys(texts))
        self._batch = dict(zip(texts, self.classifier.score(texts), strict=True))

    def escalation_score(self, request: str) -> float:
        """How much the whole request looks like a person's rather than any agent's, 0..1:
        P(human) / (P(human) + P(best agent)), a monotone map of the classifier's human-vs-best-
        agent margin (the evals' AUROC reads it). 1 - top probability without human examples."""
        return human_score(self._score([request.strip()])[0])

    def _score(self, texts: Sequence[str]) -> list[Scores]:
        missing = [t for t in texts if t not in self._batch]
        fresh = dict(zip(missing, self.classifier.score(missing), strict=True)) if missing else {}
        return [self._batch[t] if t in self._batch else fresh[t] for t in texts]

    def _resolve_kind(self) -> str:
        kind = self.settings.kind or self.team.routing.classifier
        if kind not in CLASSIFIERS:
            raise ValueError(f"unknown classifier {kind!r} (choose from {', '.join(CLASSIFIERS)})")
        if kind == "hybrid" and not embeddings_available():
            log.warning(
                "team %s asks for the hybrid (TF-IDF + sentence embedding) classifier, but the "
                "embeddings extra is not installed (pip install 'ringmaster[embeddings]'): "
                "routing with TF-IDF alone",
                self.team.name,
            )
            return "tfidf"
        return kind


def _with_heading(
    subtasks: list[Subtask], heading: ListHeading, parts: Sequence[Part], body: str
) -> list[Subtask]:
    """The heading of a list above each subtask of the list's items ("For ACME:" over "- refund
    INV-1" and "- send them a note"): given the first only, the second lost whose it was. Above
    the first subtask when the items are no longer in `body` as written."""
    first = body.find(heading.first)
    last = body.find(heading.last, max(first, 0))
    if first < 0 or last < 0:
        return with_quoted(subtasks, heading.text, True)
    start = part_at(parts, body, first)
    end = part_at(parts, body, last + len(heading.last) - 1)
    for i in range(start, end + 1):
        subtasks = with_context_before(subtasks, heading.text, i)
    return subtasks
