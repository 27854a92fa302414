"""benchmarks/join_mutations.py: which rows it joins, how, and into which half, without planning."""

from __future__ import annotations

from benchmarks import join_mutations as jm


def _sources() -> list[jm.Source]:
    texts = [
        ("need a refund on INV-1107 asap pls", "billing"),
        ("Can you reopen TCK-1066?", "support"),
        ("roll back DEP-1030 its breaking checkout", "ops"),
        ("Draft a tweet about dark mode.", "content"),
        ("how many signups last week?", "analytics"),
        ("Is our DPA signed with CUS-1009?", "legal"),
        ("what do we charge CUS-1017?", "billing"),
        ("Close TCK-1140 please.", "support"),
    ]
    return [jm.Source("dev", i + 1, t, a) for i, (t, a) in enumerate(texts)]


def test_connectors_join_at_a_sentence_or_mid_sentence() -> None:
    a, b = "need a refund on INV-1107 asap pls", "Can you reopen TCK-1066?"
    assert jm.infix(".", " Also, ")([a, b]) == (
        "need a refund on INV-1107 asap pls. Also, can you reopen TCK-1066?"
    )
    assert (
        jm.infix(",", " and then ")(["Close TCK-1.", b])
        == "Close TCK-1 and then can you reopen TCK-1066?"
    )
    # An id or "I" keeps its case after the connector; a new paragraph keeps the sentence's.
    assert jm.infix(".", "; and ")(["hi", "TCK-1 is stuck"]).endswith("; and TCK-1 is stuck")
    assert jm.infix(".", "\n\n", lower=False)([a, "please close it"]) == (
        "need a refund on INV-1107 asap pls.\n\nPlease close it"
    )
    assert jm.listed(("1. ", "2. "))(["a x", "b y"]) == "1. A x\n2. B y"
    assert jm.sentences("Second, ")(["Do a", "Do b"]) == "Do a. Second, do b."


def test_joins_mix_agents_and_controls_keep_one() -> None:
    sources = _sources()
    joins = jm.make_joins(sources, limit=3)
    # every family makes joins from the dev split but same-agent (its rows share an agent)
    assert {j.family for j in joins} == {f.name for f in jm.FAMILIES} - {"same-agent"}
    for join in joins:
        family = next(f for f in jm.FAMILIES if f.name == join.family)
        assert len(join.sources) == family.size
        assert all(s.half == join.half for s in join.sources)
        if family.kind == "multi":
            assert len(join.agents) == family.size  # one subtask per source, all agents differ
            assert join.row(1).subtasks == family.size
            assert not join.control
        else:
            assert join.agents == (join.sources[0].agent,)
            assert join.row(1).subtasks == 1
        if family.first_question:
            assert join.sources[0].question
        if family.later_command:
            assert not any(s.question for s in join.sources[1:])
    # Fixed order: the same sources make the same joins.
    assert [j.text for j in jm.make_joins(sources, limit=3)] == [j.text for j in joins]


def test_halves_split_rows_by_hash_and_each_family_has_a_connector_per_half() -> None:
    # a row's half is the first byte of its text's SHA-256, odd for B (values worked out once)
    assert jm.half_of("need a refund on INV-1107 asap pls") == "A"
    assert jm.half_of("close TCK-1005 pls") == "B"
    assert {s.half for s in _sources()} == {"A", "B"}
    assert all(s.half == jm.half_of(s.text) for s in _sources())
    for family in jm.FAMILIES:
        assert set(family.joiners) == {"A", "B"}
        a, b = family.joiners["A"], family.joiners["B"]
        texts = ["Close TCK-1", "refund INV-2", "count signups"][: family.size]
        assert a(texts) != b(texts), family.name  # half B's connector is another one


def test_sources_are_one_line_one_part_rows_without_an_envelope() -> None:
    sources = jm.load_sources(["dev"])
    assert sources
    assert all("\n" not in s.text and len(s.text) <= jm.MAX_CHARS for s in sources)
    assert not any(s.text.lower().startswith(("hi ", "hey ", "hello")) for s in sources)
