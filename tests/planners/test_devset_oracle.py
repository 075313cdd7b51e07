"""Oracle-location check on the shared devset: the reference fix of each instance,
given the lines it changes as the location, should be among the candidates."""

from rfsn.planners.patch.templates.python import generate_candidates
from rfsn.planners.patch.templates.tokens.driver import generate_token_candidates
from tests.planners.devset_oracle import (
    OTHER_LANGUAGES,
    SINGLE_LOCATION_PY,
    evaluate,
    table,
)


def test_python_single_location_instances(capsys):
    results = [
        evaluate(name, lambda f, loc: generate_candidates(f, loc, limit=1000), (".py",)) for name in SINGLE_LOCATION_PY
    ]
    with capsys.disabled():
        print("\n" + table(results))
    assert sum(r.rank is not None for r in results) >= 14


def test_javascript_and_rust_instances(capsys):
    results = [
        evaluate(name, lambda f, loc: generate_token_candidates(f, loc, limit=1000), (".js", ".rs"))
        for name in OTHER_LANGUAGES
    ]
    with capsys.disabled():
        print("\n" + table(results))
    assert sum(r.rank is not None for r in results) == 5
